import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import type { GraphResource } from "../../policy/offline/graph";
import { withIgnoredChanges } from "../../policy/offline/evaluate";
import { rawConfig } from "./helpers/environmentFixture";
import { type MockRecorder, type RecordedResource, runProgram } from "./mockRuntime";

/**
 * After `regionctl rotate-password` the writer and the secret hold a password the program never
 * saw. A later `pulumi up` (here after a failover, so the writer moved too) must leave both alone:
 * the engine keeps an existing resource's `ignoreChanges` properties at their stored values, which
 * `withIgnoredChanges` models as the offline policy evaluation does.
 */

const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const CLUSTER = "aws:rds/cluster:Cluster";
const ROTATED = "rotated-by-regionctl-0123456789abcdef";

function graphOf(rec: MockRecorder): GraphResource[] {
  return rec.resources.map((r: RecordedResource) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: r.custom,
    inputs: r.inputs,
    outputs: r.inputs,
    inputSecretPaths: r.secretInputs,
    outputSecretPaths: r.secretInputs,
    dependencies: r.dependencies,
    propertyDependencies: {},
    ignoreChanges: r.ignoreChanges,
  }));
}

/** The stack as it stands after a rotation: the secret and the writer's cluster carry ROTATED. */
function rotated(stored: GraphResource[]): GraphResource[] {
  return stored.map((r) => {
    if (r.type === VERSION) {
      const doc = JSON.parse(r.inputs.secretString as string) as Record<string, unknown>;
      const secretString = JSON.stringify({ ...doc, password: ROTATED });
      return { ...r, inputs: { ...r.inputs, secretString }, outputs: { ...r.outputs, secretString } };
    }
    if (r.type === CLUSTER && r.inputs.masterPassword !== undefined) {
      return {
        ...r,
        inputs: { ...r.inputs, masterPassword: ROTATED },
        outputs: { ...r.outputs, masterPassword: ROTATED },
      };
    }
    return r;
  });
}

describe("a stack update after a password rotation", () => {
  let stored: GraphResource[];
  let rendered: GraphResource[];

  beforeAll(async () => {
    const first = await runProgram({ config: rawConfig() });
    stored = rotated(graphOf(first.recorder));
    const config = parseConfig(rawConfig());
    const later = await runProgram({
      config: rawConfig(),
      state: { ...initialState(config), writer: "us-west-2" },
    });
    rendered = graphOf(later.recorder);
  });

  const one = (graph: GraphResource[], type: string, name?: string): GraphResource => {
    const found = graph.filter((r) => r.type === type && (name === undefined || r.name === name));
    expect(found).toHaveLength(1);
    return found[0];
  };

  it("renders the first password again, which the engine must not send", () => {
    const doc = JSON.parse(one(rendered, VERSION).inputs.secretString as string) as { password: string };
    expect(doc.password).not.toBe(ROTATED);
    expect(one(rendered, VERSION).ignoreChanges).toEqual(["secretString"]);
  });

  it("keeps the rotated password in the secret", () => {
    const effective = withIgnoredChanges(rendered, stored);
    const doc = JSON.parse(one(effective, VERSION).inputs.secretString as string) as { password: string };
    expect(doc.password).toBe(ROTATED);
  });

  it("keeps the rotated password on the cluster that had it, and sends none to the new writer", () => {
    const effective = withIgnoredChanges(rendered, stored);
    expect(one(effective, CLUSTER, "us-east-1-db-cluster").inputs.masterPassword).toBe(ROTATED);
    // The program hands the new writer the first password; the cluster exists, so it is ignored.
    expect(one(rendered, CLUSTER, "us-west-2-db-cluster").inputs.masterPassword).toBeDefined();
    expect(one(effective, CLUSTER, "us-west-2-db-cluster").inputs.masterPassword).toBeUndefined();
  });

  it("would put the first password back without the ignore: the check can fail", () => {
    const unguarded = rendered.map((r) => (r.type === VERSION ? { ...r, ignoreChanges: [] } : r));
    const doc = JSON.parse(
      one(withIgnoredChanges(unguarded, stored), VERSION).inputs.secretString as string,
    ) as { password: string };
    expect(doc.password).not.toBe(ROTATED);
  });
});
