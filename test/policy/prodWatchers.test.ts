import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, rawConfigFromStackConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { policies } from "../../policy/allPolicies";
import { evaluatePolicies } from "../../policy/offline/evaluate";
import type { GraphResource } from "../../policy/offline/graph";
import { validateOffline } from "../../policy/offline/offlineValidation";
import { readStackFile } from "../../policy/offline/stackFile";
import { type Res, violatedByLevel } from "./fixtures";

/**
 * The example Pulumi.prod.yaml runs a `regionctl watch` replica in every region. The graph the real
 * program registers for it (under mocks, as `regionctl validate` runs it) passes every mandatory
 * policy, watchers included, and the pack fires when the watchers are changed the way its
 * policies exist to catch.
 */

const ROOT = path.resolve(__dirname, "../..");
const STACK_FILE = path.join(ROOT, "Pulumi.prod.yaml");
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
let dir: string;
let graph: readonly GraphResource[] = [];
let mandatory: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "regionctl-prod-watchers-"));
  const config = parseConfig(rawConfigFromStackConfig(readStackFile(STACK_FILE).config));
  // The store is DynamoDB; validation reads the state from a file instead of the table.
  const statePath = path.join(dir, "state.json");
  writeFileSync(statePath, JSON.stringify(initialState(config)));
  const result = await validateOffline({ programDir: ROOT, stackFile: STACK_FILE, statePath });
  if (result.kind !== "evaluated") throw new Error(JSON.stringify(result.issues));
  graph = result.graph.resources;
  mandatory = violatedByLevel(result.evaluation.violations).mandatory;
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const watchers = (resources: readonly GraphResource[]) =>
  resources.filter(
    (r) =>
      r.type === DEPLOYMENT &&
      (r.inputs.metadata as { name?: string } | undefined)?.name === "regionctl-watch",
  );

async function mandatoryOf(resources: readonly GraphResource[]): Promise<string[]> {
  return violatedByLevel((await evaluatePolicies(resources, { policies })).violations).mandatory;
}

describe("the prod stack's watchers under the policy pack", () => {
  it("are one per region and pass every mandatory policy", () => {
    expect(
      watchers(graph)
        .map((w) => w.name)
        .sort(),
    ).toEqual([
      "eu-west-1-watcher-deployment",
      "us-east-1-watcher-deployment",
      "us-west-2-watcher-deployment",
    ]);
    expect(mandatory).toEqual([]);
  });

  it("fire control-plane-watcher-regions when only one region keeps a watcher", async () => {
    const keep = watchers(graph)[0].urn;
    const one = graph.filter((r) => !(watchers([r]).length === 1 && r.urn !== keep));
    expect(watchers(one)).toHaveLength(1);
    expect(await mandatoryOf(one)).toEqual(["control-plane-watcher-regions"]);
  });

  it("fire kubernetes-deployment-probes-limits on a watcher without its readiness probe", async () => {
    const broken = structuredClone(graph) as Res[];
    const [w] = watchers(broken) as Res[];
    for (const props of [w.inputs, w.outputs]) {
      const spec = props.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
      delete spec.template.spec.containers[0].readinessProbe;
    }
    expect(await mandatoryOf(broken)).toEqual(["kubernetes-deployment-probes-limits"]);
  });
});
