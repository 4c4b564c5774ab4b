import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseConfig } from "../../components/config";
import { CONTROLLER_ACTIONS } from "../../components/controllerActions";
import { controllerPolicy } from "../../components/controllerPolicy";
import { WatcherReplica } from "../../components/watcherReplica";
import { type RawConfig, withPatch } from "./helpers/environmentFixture";
import { type MockRecorder, runMocked, runProgram } from "./mockRuntime";

/** The program's `regionctl watch` replicas, under Pulumi mocks. */

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const COMPONENT = "regionctl:index:WatcherReplica";
const IMAGE = "ghcr.io/acme/regionctl:1.4.0";
const store = { kind: "dynamodb", table: "program-state", regions: ["us-east-1", "us-east-2", "us-west-2"] };

function withWatchers(plane: RawConfig): RawConfig {
  return withPatch((c) => {
    c.stateStore = store;
    c.controlPlane = plane;
  });
}

const watcherDeployments = (rec: MockRecorder) =>
  rec.ofType(DEPLOYMENT).filter((d) => d.inputs.metadata.name === "regionctl-watch");

describe("the program with controlPlane.watchers", () => {
  const saved = { ...process.env };
  let rec: MockRecorder;
  let outputs: Record<string, { value: Record<string, { watcherRoleArn?: string }> }>;

  beforeAll(async () => {
    // The program's own state read goes to moto, whose table does not exist yet: a new environment.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = inject("motoEndpoint");
    process.env.AWS_ACCESS_KEY_ID = "testing";
    process.env.AWS_SECRET_ACCESS_KEY = "testing";
    process.env.AWS_REGION = "us-east-1";
    const run = await runProgram({
      config: withWatchers({ watchers: ["us-west-2", "eu-west-1"], image: IMAGE }),
    });
    rec = run.recorder;
    outputs = run.outputs;
  });
  afterAll(() => {
    process.env = saved;
  });

  it("deploys one replica on each listed region's cluster, each told its own region", () => {
    const deployments = watcherDeployments(rec);
    const regionOf = (d: (typeof deployments)[number]) => d.inputs.metadata.labels["regionctl.io/region"];
    expect(deployments.map(regionOf).sort()).toEqual(["eu-west-1", "us-west-2"]);
    for (const d of deployments) {
      const region = regionOf(d);
      // On that region's cluster: its Kubernetes provider.
      expect(rec.providerOf(d)?.name).toBe(`${region}-k8s`);
      const [container] = d.inputs.spec.template.spec.containers;
      expect(d.inputs.spec.replicas).toBe(1);
      expect(d.inputs.metadata.namespace).toBe("regionctl");
      expect(container.image).toBe(IMAGE);
      expect(container.env).toContainEqual({ name: "AWS_REGION", value: region });
      expect(container.args.slice(0, 3)).toEqual(["watch", "--stack", "dev"]);
      // Under the region's stack: an update that leaves the region out leaves its watcher too.
      expect(rec.ancestorOfType(d, "regionctl:index:RegionStack")?.name).toBe(region);
      expect(d.urn).toContain(`${region}-watcher`);
    }
  });

  it("exports each watcher's role, for the clusters' access entries, and none where no watcher runs", () => {
    const regions = outputs.regions.value;
    expect(regions["us-west-2"].watcherRoleArn).toMatch(/us-west-2-watcher-role/);
    expect(regions["eu-west-1"].watcherRoleArn).toMatch(/eu-west-1-watcher-role/);
    expect(regions["us-east-1"].watcherRoleArn).toBeUndefined();
  });

  it("deploys none in a region that is not listed", () => {
    const useast = rec.ofType(COMPONENT).map((c) => c.name);
    expect(useast.sort()).toEqual(["eu-west-1-watcher", "us-west-2-watcher"]);
  });

  it("gives each replica a role with the policy iam-policy prints, bound to its service account with Pod Identity", () => {
    const expected = controllerPolicy(
      parseConfig(withWatchers({ watchers: ["us-west-2", "eu-west-1"], image: IMAGE })),
      CONTROLLER_ACTIONS,
    );
    for (const component of rec.ofType(COMPONENT)) {
      const inside = rec.descendants(component);
      const [policy] = inside.filter((r) => r.type === ROLE_POLICY);
      expect(JSON.parse(policy.inputs.policy)).toEqual(expected);
      const [association] = inside.filter((r) => r.type === ASSOCIATION);
      expect(association.inputs).toMatchObject({ namespace: "regionctl", serviceAccount: "regionctl-watch" });
      expect(association.inputs.clusterName).toBe(`dev-${component.name.replace(/-watcher$/, "")}`);
      // The pod starts with credentials: the binding and the service account come first.
      const [deployment] = inside.filter((r) => r.type === DEPLOYMENT);
      expect(rec.dependsOn(deployment, association)).toBe(true);
    }
    expect(JSON.stringify(expected)).toContain("dynamodb:PutItem");
  });
});

describe("a WatcherReplica with a role of the user's own", () => {
  const config = parseConfig(
    withPatch((c) => {
      c.stateStore = { kind: "s3", bucket: "team-state" };
      c.controlPlane = {
        watchers: ["us-west-2"],
        image: IMAGE,
        serviceAccountRoleArn: "arn:aws:iam::123456789012:role/regionctl-watch",
      };
    }),
  );
  const build = (region: string) =>
    new WatcherReplica("w", {
      region,
      stack: "dev",
      clusterName: "dev-us-west-2",
      controlPlane: config.controlPlane,
      intervalSeconds: 10,
      policy: controllerPolicy(config, CONTROLLER_ACTIONS),
    });

  it("annotates the service account for IRSA and makes no role", async () => {
    const { recorder } = await runMocked(() => build("us-west-2"));
    expect(recorder.ofType("aws:iam/role:Role")).toHaveLength(0);
    expect(recorder.ofType(ASSOCIATION)).toHaveLength(0);
    const [sa] = recorder.ofType(SERVICE_ACCOUNT);
    expect(sa.inputs.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/regionctl-watch",
    });
  });

  it("refuses a region that is not among the watchers, before registering anything", async () => {
    const { recorder } = await runMocked(() => {
      expect(() => build("eu-west-1")).toThrow(/eu-west-1 is not among controlPlane.watchers/);
    });
    expect(recorder.resources).toHaveLength(0);
  });
});
