import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { arcOptionsFromOutputs } from "../../automation/adapters/aws/arcRoutingControls";
import { ArcRoutingControls, arcRoutingControlsIssues } from "../../components/arcRoutingControls";
import { validateOffline } from "../../policy/offline/offlineValidation";
import { DEV_STACK_ADVISORIES, violatedByLevel } from "../policy/fixtures";
import { rawConfig, withPatch } from "./helpers/environmentFixture";
import {
  type MockRecorder,
  type RecordedResource,
  runMocked,
  runProgram,
  resolveOutput,
} from "./mockRuntime";

const CLUSTER = "aws:route53recoverycontrol/cluster:Cluster";
const PANEL = "aws:route53recoverycontrol/controlPanel:ControlPanel";
const CONTROL = "aws:route53recoverycontrol/routingControl:RoutingControl";
const RULE = "aws:route53recoverycontrol/safetyRule:SafetyRule";
const HEALTH = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";
const COMPONENT = "regionctl:index:ArcRoutingControls";

const ENDPOINT_REGIONS = ["ap-northeast-1", "ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"];
/** The cluster reports its five regional endpoints once created. */
const states = {
  [CLUSTER]: () => ({
    clusterEndpoints: ENDPOINT_REGIONS.map((region) => ({
      endpoint: `https://host-${region}.example.com/v1`,
      region,
    })),
  }),
};
/** The mock's ARN of a resource made without a provider (its default region is us-east-1). */
const arnOf = (r: RecordedResource): string => `arn:aws:mock:us-east-1:123456789012:${r.name}`;
const dependsOnArn = (rec: MockRecorder, r: RecordedResource, on: RecordedResource): boolean =>
  rec.dependsOn(r, on);

describe("ArcRoutingControls", () => {
  const regions = ["us-east-1", "us-west-2", "eu-west-1"];

  it("builds a cluster, a control panel on it and one routing control per region in the panel", async () => {
    const { recorder } = await runMocked(() => new ArcRoutingControls("arc", { regions }), { states });
    const [cluster] = recorder.ofType(CLUSTER);
    const [panel] = recorder.ofType(PANEL);
    expect(recorder.ofType(CLUSTER)).toHaveLength(1);
    expect(panel.inputs.clusterArn).toBe(arnOf(cluster));
    const controls = recorder.ofType(CONTROL);
    expect(controls.map((c) => c.name).sort()).toEqual(["arc-eu-west-1", "arc-us-east-1", "arc-us-west-2"]);
    for (const c of controls) {
      expect(c.inputs).toMatchObject({ clusterArn: arnOf(cluster), controlPanelArn: arnOf(panel) });
    }
    for (const r of [cluster, panel, ...controls, ...recorder.ofType(RULE), ...recorder.ofType(HEALTH)]) {
      expect(recorder.parentOf(r)?.type).toBe(COMPONENT);
      expect(r.name.startsWith("arc-")).toBe(true);
    }
  });

  it("asserts at least one routing control on, over every region's control", async () => {
    const { recorder } = await runMocked(() => new ArcRoutingControls("arc", { regions }), { states });
    const rules = recorder.ofType(RULE);
    expect(rules).toHaveLength(1);
    const [panel] = recorder.ofType(PANEL);
    expect(rules[0].inputs).toMatchObject({
      controlPanelArn: arnOf(panel),
      ruleConfig: { type: "ATLEAST", threshold: 1, inverted: false },
      waitPeriodMs: 5000,
    });
    expect([...rules[0].inputs.assertedControls].sort()).toEqual(recorder.ofType(CONTROL).map(arnOf).sort());
    expect(rules[0].inputs.gatingControls).toBeUndefined();
  });

  it("gives each region a RECOVERY_CONTROL health check on its own routing control", async () => {
    const { recorder, result } = await runMocked(() => new ArcRoutingControls("arc", { regions }), {
      states,
    });
    for (const region of regions) {
      const check = recorder.named(`arc-${region}-health`, HEALTH);
      const control = recorder.named(`arc-${region}`, CONTROL);
      expect(check.inputs).toMatchObject({ type: "RECOVERY_CONTROL", routingControlArn: arnOf(control) });
      expect(dependsOnArn(recorder, check, control)).toBe(true);
      expect((await resolveOutput(result.healthCheckIds[region])).value).toBe(`arc-${region}-health-id`);
    }
  });

  it("exposes the cluster's endpoints and the routing control ARNs", async () => {
    const { result } = await runMocked(() => new ArcRoutingControls("arc", { regions }), { states });
    expect((await resolveOutput(result.clusterEndpoints)).value).toHaveLength(5);
    expect((await resolveOutput(result.routingControlArns["us-east-1"])).value).toBe(
      "arn:aws:mock:us-east-1:123456789012:arc-us-east-1",
    );
  });

  it("refuses bad args, naming every field, before registering anything", async () => {
    const { recorder, result } = await runMocked(() => {
      try {
        return new ArcRoutingControls("arc", {
          regions: ["us-east-1", "us-east-1", "Mars"],
          waitPeriodMs: -1,
        });
      } catch (e) {
        return e as Error;
      }
    });
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/^arc: /);
    expect((result as Error).message).toMatch(/regions\[1\]: us-east-1 is listed twice/);
    expect((result as Error).message).toMatch(/regions\[2\]: Mars is not a region name/);
    expect((result as Error).message).toMatch(/waitPeriodMs: /);
    expect(recorder.resources).toHaveLength(0);
    expect(arcRoutingControlsIssues({ regions: [] })).toEqual(["regions: needs at least one region"]);
  });
});

describe("the program with dns.control: arc", () => {
  const arcConfig = () => withPatch((c) => (c.dns.control = "arc"));

  it("renders no ARC resources and no arc output with health-check control", async () => {
    const { recorder, outputs } = await runProgram({ config: rawConfig(), states });
    for (const type of [CLUSTER, PANEL, CONTROL, RULE]) expect(recorder.ofType(type)).toHaveLength(0);
    expect(recorder.ofType(HEALTH).every((h) => h.inputs.type === "HTTPS")).toBe(true);
    expect(outputs.arc).toBeUndefined();
  });

  it("builds the controls with a us-west-2 provider and points every record at its region's routing control", async () => {
    const { recorder } = await runProgram({ config: arcConfig(), states });
    const [cluster] = recorder.ofType(CLUSTER);
    expect(recorder.providerOf(cluster)?.name).toBe("arc-aws");
    expect(recorder.regionOf(cluster)).toBe("us-west-2");
    const controls = recorder.ofType(CONTROL).map((c) => c.name.replace(/^arc-/, ""));
    expect(controls.sort()).toEqual(["eu-west-1", "us-east-1", "us-west-2"]);

    const recoveryChecks = new Map(
      recorder
        .ofType(HEALTH)
        .filter((h) => h.inputs.type === "RECOVERY_CONTROL")
        .map((h) => [h.id, h.name.replace(/^arc-/, "").replace(/-health$/, "")]),
    );
    expect(recoveryChecks.size).toBe(3);
    const checked = recorder.ofType(RECORD).filter((r) => r.inputs.healthCheckId !== undefined);
    expect(checked.length).toBeGreaterThanOrEqual(3);
    for (const record of checked) {
      const region = recoveryChecks.get(record.inputs.healthCheckId);
      expect(region, `${record.name} answers to ${record.inputs.healthCheckId}`).toBeDefined();
      expect(record.inputs.records).toEqual([`app.${region}.dev.example.com`]);
    }
    // The HTTPS checks stay: the controller reads Route 53's view of each endpoint from them.
    expect(recorder.ofType(HEALTH).filter((h) => h.inputs.type === "HTTPS")).toHaveLength(3);
  });

  it("exports the cluster ARN, its endpoints and each region's routing control ARN, as the controller reads them", async () => {
    const { outputs } = await runProgram({ config: arcConfig(), states });
    const arc = outputs.arc.value;
    expect(arc.clusterArn).toBe("arn:aws:mock:us-west-2:123456789012:arc-cluster");
    expect(arc.clusterEndpoints.map((e: { region: string }) => e.region)).toEqual(ENDPOINT_REGIONS);
    expect(arc.routingControlArns).toEqual({
      "us-east-1": "arn:aws:mock:us-west-2:123456789012:arc-us-east-1",
      "us-west-2": "arn:aws:mock:us-west-2:123456789012:arc-us-west-2",
      "eu-west-1": "arn:aws:mock:us-west-2:123456789012:arc-eu-west-1",
    });
    const adapter = arcOptionsFromOutputs({ arc });
    expect(adapter.clusterEndpoints).toHaveLength(5);
    expect(Object.keys(adapter.routingControlArns).sort()).toEqual(["eu-west-1", "us-east-1", "us-west-2"]);
  });
});

describe("the policy pack with dns.control: arc", () => {
  it("passes the program's graph, RECOVERY_CONTROL health checks and all", async () => {
    const root = path.resolve(__dirname, "../..");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "regionctl-arc-"));
    const stackFile = path.join(dir, "Pulumi.dev.yaml");
    const dev = fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8");
    const withArc = dev.replace(/^( {4}healthCheck: .*)$/m, "$1\n    control: arc");
    expect(withArc).not.toBe(dev);
    fs.writeFileSync(stackFile, withArc);
    const result = await validateOffline({ programDir: root, stackFile });
    if (result.kind !== "evaluated") throw new Error(`rejected: ${JSON.stringify(result)}`);
    expect(result.graph.resources.filter((r) => r.type === CONTROL)).toHaveLength(3);
    expect(violatedByLevel(result.evaluation.violations)).toEqual({
      mandatory: [],
      advisory: DEV_STACK_ADVISORIES,
    });
  }, 180_000);
});
