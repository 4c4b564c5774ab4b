import { beforeAll, describe, expect, it } from "vitest";
import {
  APP_NAME,
  COLOR_LABEL,
  NAME_LABEL,
  deploymentSpec,
  imageRef,
  serviceSelector,
} from "../../components/appSpec";
import { parseConfig } from "../../components/config";
import { type OperationalState, initialState } from "../../components/operationalState";
import { planTopology } from "../../components/topology";
import { type MockRecorder, type ProgramRun, runProgram } from "./mockRuntime";
import { rawConfig, validConfig, withPatch } from "./helpers/environmentFixture";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NAMESPACE = "kubernetes:core/v1:Namespace";

/** us-west-2 mid blue-green: green on 1.1.0 is active, blue still holds 1.0.0. eu-west-1 mid canary. */
function promotionState(): OperationalState {
  const config = validConfig();
  const state = initialState(config);
  state.regions["us-west-2"] = {
    ...state.regions["us-west-2"],
    version: "1.1.0",
    activeColor: "green",
    slots: { blue: { version: "1.0.0", replicas: 3 }, green: { version: "1.1.0", replicas: 3 } },
  };
  state.regions["eu-west-1"] = {
    ...state.regions["eu-west-1"],
    slots: { blue: { version: "1.0.0", replicas: 3 }, green: { version: "1.1.0", replicas: 1 } },
    canaryWeight: 10,
  };
  return state;
}

describe("RegionalApp during a promotion", () => {
  let run: ProgramRun;
  let rec: MockRecorder;

  beforeAll(async () => {
    run = await runProgram({ config: rawConfig(), state: promotionState() });
    rec = run.recorder;
  });

  it("points each region's Service at its active colour", () => {
    expect(rec.named("us-east-1-app-service", SERVICE).inputs.spec.selector).toEqual({
      [NAME_LABEL]: APP_NAME,
      [COLOR_LABEL]: "blue",
    });
    expect(rec.named("us-west-2-app-service", SERVICE).inputs.spec.selector).toEqual({
      [NAME_LABEL]: APP_NAME,
      [COLOR_LABEL]: "green",
    });
  });

  it("selects both colours while a canary splits the region's traffic", () => {
    expect(rec.named("eu-west-1-app-service", SERVICE).inputs.spec.selector).toEqual({
      [NAME_LABEL]: APP_NAME,
    });
  });

  it("sizes and versions the blue and green Deployments from the slots", () => {
    const image = (name: string) => rec.named(name, DEPLOYMENT).inputs.spec.template.spec.containers[0].image;
    const replicas = (name: string) => rec.named(name, DEPLOYMENT).inputs.spec.replicas;
    expect([image("us-west-2-app-blue"), replicas("us-west-2-app-blue")]).toEqual([
      "registry.example.com/shop/web:1.0.0",
      3,
    ]);
    expect([image("us-west-2-app-green"), replicas("us-west-2-app-green")]).toEqual([
      "registry.example.com/shop/web:1.1.0",
      3,
    ]);
    expect([image("eu-west-1-app-green"), replicas("eu-west-1-app-green")]).toEqual([
      "registry.example.com/shop/web:1.1.0",
      1,
    ]);
    // A slot never filled keeps its Deployment at zero pods.
    expect(replicas("us-east-1-app-green")).toBe(0);
    expect(replicas("us-east-1-app-blue")).toBe(3);
  });

  it("selects each Deployment's pods by colour", () => {
    for (const d of rec.ofType(DEPLOYMENT)) {
      const color = d.name.endsWith("-green") ? "green" : "blue";
      expect(d.inputs.metadata.name).toBe(`${APP_NAME}-${color}`);
      expect(d.inputs.spec.selector.matchLabels).toEqual({ [NAME_LABEL]: APP_NAME, [COLOR_LABEL]: color });
      expect(d.inputs.spec.template.metadata.labels).toMatchObject({ [COLOR_LABEL]: color });
    }
  });

  it("runs every Kubernetes resource of a region on that region's provider, inside its RegionStack", () => {
    const k8s = rec.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(k8s.length).toBeGreaterThan(0);
    for (const r of k8s) {
      const region = rec.ancestorOfType(r, "regionctl:index:RegionStack")?.name;
      expect(r.name.startsWith(`${region}-`)).toBe(true);
      expect(rec.providerOf(r)?.name).toBe(`${region}-k8s`);
      expect(rec.providerOf(r)?.inputs.context).toBe(`dev-${region}`);
    }
  });
});

describe("RegionalApp objects", () => {
  let rec: MockRecorder;

  beforeAll(async () => {
    const config = withPatch((c) => {
      c.dns.healthCheck.path = "/ready";
      c.app = {
        ...c.app,
        namespace: "shop",
        cpuRequest: "500m",
        memoryRequest: "1Gi",
        cpuLimit: "2",
        memoryLimit: "2Gi",
      };
      c.regions[1].kubeconfig = "apiVersion: v1\nkind: Config\n";
      delete c.regions[1].kubeContext;
    });
    rec = (await runProgram({ config })).recorder;
  });

  it("probes readiness on the health path, liveness on the port only", () => {
    for (const d of rec.ofType(DEPLOYMENT)) {
      const container = d.inputs.spec.template.spec.containers[0];
      expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
      expect(container.livenessProbe.httpGet).toBeUndefined();
      expect(container.livenessProbe.tcpSocket).toEqual({ port: "http" });
      expect(container.ports).toEqual([{ name: "http", containerPort: 8080 }]);
    }
  });

  it("sets resource requests and limits from the config", () => {
    for (const d of rec.ofType(DEPLOYMENT)) {
      expect(d.inputs.spec.template.spec.containers[0].resources).toEqual({
        requests: { cpu: "500m", memory: "1Gi" },
        limits: { cpu: "2", memory: "2Gi" },
      });
    }
  });

  it("creates the namespace, the Service and a PodDisruptionBudget in every region", () => {
    for (const region of ["us-east-1", "us-west-2", "eu-west-1"]) {
      expect(rec.named(`${region}-app-ns`, NAMESPACE).inputs.metadata.name).toBe("shop");
      expect(rec.named(`${region}-app-service`, SERVICE).inputs.metadata.namespace).toBe("shop");
      const pdb = rec.named(`${region}-app-pdb`, PDB);
      expect(pdb.inputs.spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { [NAME_LABEL]: APP_NAME } },
      });
      expect(pdb.inputs.metadata.namespace).toBe("shop");
    }
  });

  it("hands the app its database endpoints and secret name", () => {
    const env = rec.named("us-west-2-app-blue", DEPLOYMENT).inputs.spec.template.spec.containers[0].env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "REGION", value: "us-west-2" },
        { name: "DATABASE_SECRET_NAME", value: "regionctl/dev/database" },
        { name: "DATABASE_WRITER_ENDPOINT", value: "dev-global.global-mock.global.rds.amazonaws.com" },
        {
          name: "DATABASE_READER_ENDPOINT",
          value: "dev-us-west-2.cluster-ro-mock.us-west-2.rds.amazonaws.com",
        },
      ]),
    );
  });

  it("passes a region's kubeconfig to its provider as a secret", () => {
    const provider = rec.named("us-west-2-k8s", "pulumi:providers:kubernetes");
    expect(provider.secretInputs).toContain("kubeconfig");
    expect(provider.inputs.context).toBeUndefined();
  });
});

describe("appSpec (pure)", () => {
  const config = parseConfig(rawConfig());

  it("serviceSelector follows the active colour and drops it during a canary", () => {
    const state = initialState(config);
    state.regions["us-east-1"] = { ...state.regions["us-east-1"], activeColor: "green" };
    const plan = planTopology(config, state).regions.find((r) => r.region === "us-east-1");
    expect(serviceSelector(plan!)).toEqual({ [NAME_LABEL]: APP_NAME, [COLOR_LABEL]: "green" });
    state.regions["us-east-1"] = { ...state.regions["us-east-1"], canaryWeight: 50 };
    const canary = planTopology(config, state).regions.find((r) => r.region === "us-east-1");
    expect(serviceSelector(canary!)).toEqual({ [NAME_LABEL]: APP_NAME });
  });

  it("imageRef keeps digests and tags versions", () => {
    expect(imageRef("repo/web", "2.0.0")).toBe("repo/web:2.0.0");
    expect(imageRef("repo/web@sha256:abc", "2.0.0")).toBe("repo/web@sha256:abc");
  });

  it("probes liveness over HTTP on app.livenessPath when set, never on the health path", () => {
    const plan = planTopology(config, null).regions[0];
    const blue = plan.app.slots[0];
    const liveness = (livenessPath: string | undefined) =>
      (
        deploymentSpec(blue, plan, { ...config.app, livenessPath }, "/health", []).template as unknown as {
          spec: { containers: { livenessProbe: Record<string, unknown> }[] };
        }
      ).spec.containers[0].livenessProbe;
    expect(liveness("/livez")).toMatchObject({ httpGet: { path: "/livez", port: "http" } });
    expect(liveness("/livez").tcpSocket).toBeUndefined();
    expect(liveness(undefined)).toMatchObject({ tcpSocket: { port: "http" } });
  });

  it("an empty slot runs the serving version at zero replicas", () => {
    const plan = planTopology(config, null).regions[0];
    const green = plan.app.slots[1];
    expect(green).toEqual({ color: "green", version: null, replicas: 0 });
    const spec = deploymentSpec(green, plan, config.app, "/health", []);
    expect(spec.replicas).toBe(0);
    expect((spec.template as { spec: { containers: { image: string }[] } }).spec.containers[0].image).toBe(
      "registry.example.com/shop/web:1.0.0",
    );
  });
});
