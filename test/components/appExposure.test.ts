import { beforeAll, describe, expect, it } from "vitest";
import { AppExposure } from "../../components/appExposure";
import { serviceSelector } from "../../components/appSpec";
import { validateConfig } from "../../components/config";
import { NLB_LOAD_BALANCER_CLASS, PUBLIC_SERVICE_NAME } from "../../components/exposureSpec";
import { planTopology } from "../../components/topology";
import { type MockRecorder, runMocked, runProgram } from "./mockRuntime";
import { rawConfig, validConfig, withPatch } from "./helpers/environmentFixture";

const SERVICE = "kubernetes:core/v1:Service";
const RECORD = "aws:route53/record:Record";
const HEALTH = "aws:route53/healthCheck:HealthCheck";
const lbHostname = (region: string) => `${region}-exposure-lb-0123456789abcdef.elb.amazonaws.com`;

describe("AppExposure in the program", () => {
  let rec: MockRecorder;
  const config = validConfig();
  const plan = planTopology(config, null);
  beforeAll(async () => {
    rec = (await runProgram({ config: rawConfig() })).recorder;
  });

  it("puts each region's app behind an internet-facing NLB with the region's certificate on the checked port", () => {
    config.regions.forEach((r) => {
      const service = rec.named(`${r.region}-exposure-lb`, SERVICE);
      expect(service.inputs.metadata).toMatchObject({ name: PUBLIC_SERVICE_NAME, namespace: "dev" });
      expect(service.inputs.metadata.annotations).toMatchObject({
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": r.certificateArn,
        "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
      });
      expect(service.inputs.spec).toMatchObject({
        type: "LoadBalancer",
        loadBalancerClass: NLB_LOAD_BALANCER_CLASS,
        ports: [{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }],
      });
      expect(rec.providerOf(service)?.name).toBe(`${r.region}-k8s`);
    });
  });

  it("sends the load balancer's traffic to the colour the region serves, as the in-cluster Service does", () => {
    for (const regionPlan of plan.regions) {
      const selector = rec.named(`${regionPlan.region}-exposure-lb`, SERVICE).inputs.spec.selector;
      expect(selector).toEqual(serviceSelector(regionPlan));
      expect(selector).toEqual(rec.named(`${regionPlan.region}-app-service`, SERVICE).inputs.spec.selector);
    }
  });

  it("points each region's endpoint at its load balancer, inside the region's stack", () => {
    config.regions.forEach((r) => {
      const record = rec.named(`${r.region}-exposure-endpoint`, RECORD);
      expect(record.inputs).toMatchObject({
        zoneId: config.dns.zoneId,
        name: r.endpoint,
        type: "CNAME",
        ttl: config.dns.ttl,
        records: [lbHostname(r.region)],
      });
      expect(rec.ancestorOfType(record, "regionctl:index:RegionStack")?.name).toBe(r.region);
    });
  });

  it("closes the chain: every routed record and health check names an endpoint that has its record", () => {
    const endpointRecords = new Set(
      rec
        .ofType(RECORD)
        .filter((r) => r.name.endsWith("-exposure-endpoint"))
        .map((r) => r.inputs.name as string),
    );
    const routedTargets = rec
      .ofType(RECORD)
      .filter((r) => rec.parentOf(r)?.type === "regionctl:index:FailoverRouting" && r.inputs.records)
      .flatMap((r) => r.inputs.records as string[]);
    expect(routedTargets.length).toBeGreaterThan(0);
    for (const target of routedTargets) expect(endpointRecords).toContain(target);
    for (const check of rec.ofType(HEALTH)) expect(endpointRecords).toContain(check.inputs.fqdn);
  });
});

describe("AppExposure on another health-check port", () => {
  it("listens on dns.healthCheck.port", async () => {
    const raw = withPatch((c) => (c.dns.healthCheck.port = 8443));
    const { recorder } = await runProgram({ config: raw });
    const service = recorder.named("us-west-2-exposure-lb", SERVICE);
    expect(service.inputs.spec.ports[0].port).toBe(8443);
    expect(
      service.inputs.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"],
    ).toBe("8443");
  });
});

describe("exposure config and arguments", () => {
  const issues = (raw: unknown) => {
    const result = validateConfig(raw);
    return result.ok ? [] : result.issues;
  };

  it("refuses a region without a certificate, naming the key", () => {
    expect(issues(withPatch((c) => delete c.regions[0].certificateArn))).toEqual([
      {
        path: "regionctl:regions[0].certificateArn",
        message: "certificateArn is required: the load balancer serves HTTPS with it",
      },
    ]);
  });

  it("refuses a certificate from another region", () => {
    const raw = withPatch((c) => (c.regions[1].certificateArn = c.regions[0].certificateArn));
    expect(issues(raw)).toEqual([
      {
        path: "regionctl:regions[1].certificateArn",
        message: "the certificate is in us-east-1, but a load balancer in us-west-2 needs one from us-west-2",
      },
    ]);
  });

  it("refuses an ARN that is not an ACM certificate", () => {
    const raw = withPatch(
      (c) => (c.regions[1].certificateArn = "arn:aws:iam::123456789012:server-certificate/x"),
    );
    expect(issues(raw).map((i) => i.path)).toEqual(["regionctl:regions[1].certificateArn"]);
  });

  it("the component refuses a certificate from another region before registering anything", async () => {
    const config = validConfig();
    const regionPlan = planTopology(config, null).regions[1];
    await expect(
      runMocked(
        () =>
          new AppExposure("x", {
            plan: regionPlan,
            namespace: "dev",
            certificateArn: config.regions[0].certificateArn,
            port: 443,
            zoneId: config.dns.zoneId,
            ttl: 60,
          }),
      ),
    ).rejects.toThrow(/certificateArn is in us-east-1, but the load balancer is in us-west-2/);
  });
});
