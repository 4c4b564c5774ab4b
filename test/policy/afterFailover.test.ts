import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, rawConfigFromStackConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { evaluatePolicies } from "../../policy/offline/evaluate";
import {
  globalProviderNote,
  type OfflineValidation,
  validateOffline,
} from "../../policy/offline/offlineValidation";
import { readStackFile } from "../../policy/offline/stackFile";
import { DEV_STACK_ADVISORIES, violatedByLevel } from "./fixtures";

/**
 * The dev stack after a failover to us-west-2, evaluated as the engine shows it to the pack: the
 * members keep their creation-time credentials (ignored after creation), so the former writer
 * still carries the master password and the new one none. The pack must decide the writer from
 * the role tag the program sets from the plan, and pass.
 */

const ROOT = path.resolve(__dirname, "../..");
const STACK_FILE = path.join(ROOT, "Pulumi.dev.yaml");
let dir: string;
let result: Extract<OfflineValidation, { kind: "evaluated" }>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "regionctl-after-failover-"));
  const config = parseConfig(rawConfigFromStackConfig(readStackFile(STACK_FILE).config));
  const statePath = path.join(dir, "state.json");
  writeFileSync(statePath, JSON.stringify({ ...initialState(config), writer: "us-west-2" }));
  const validated = await validateOffline({ programDir: ROOT, stackFile: STACK_FILE, statePath });
  if (validated.kind !== "evaluated") throw new Error(JSON.stringify(validated.issues));
  result = validated;
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the policy pack after a failover", () => {
  it("renders the failover writer and passes every policy", () => {
    expect(result.facts.writer).toBe("us-west-2");
    expect(violatedByLevel(result.evaluation.violations)).toEqual({
      mandatory: [],
      advisory: DEV_STACK_ADVISORIES,
    });
  });

  it("is shown the ignored credentials at their creation-time values", async () => {
    const clusters = result.graph.resources.filter((r) => r.type === "aws:rds/cluster:Cluster");
    const seen: Record<string, { password: boolean; role: unknown }> = {};
    await evaluatePolicies(result.graph.resources, {
      prior: await priorOf(),
      policies: [
        {
          name: "probe",
          description: "records what the pack sees",
          validateStack: (args) => {
            for (const c of args.resources.filter((r) => r.type === "aws:rds/cluster:Cluster")) {
              seen[c.name] = {
                password: c.props.masterPassword !== undefined,
                role: (c.props.tags as Record<string, unknown>).role,
              };
            }
          },
        },
      ],
    });
    expect(clusters).toHaveLength(3);
    expect(seen["us-east-1-db-cluster"]).toEqual({ password: true, role: "secondary" });
    expect(seen["us-west-2-db-cluster"]).toEqual({ password: false, role: "writer" });
  });
});

describe("the global provider's region", () => {
  const config = parseConfig(rawConfigFromStackConfig(readStackFile(STACK_FILE).config));

  it("is warned about when it is the writer's region", () => {
    expect(config.awsRegion).toBe("us-east-1");
    expect(globalProviderNote(config, "us-east-1")).toMatch(
      /^warning: aws:region .* writer region us-east-1/,
    );
  });

  it("is fine once the writer is elsewhere, as after this failover", () => {
    expect(globalProviderNote(config, "us-west-2")).toBeNull();
    expect(result.notes.filter((n) => n.startsWith("warning: aws:region"))).toEqual([]);
  });
});

/** The dev stack as first deployed from its config (no state document). */
async function priorOf() {
  const first = await validateOffline({ programDir: ROOT, stackFile: STACK_FILE, stateBaseDir: dir });
  if (first.kind !== "evaluated") throw new Error("dev config rejected");
  return first.graph.resources;
}
