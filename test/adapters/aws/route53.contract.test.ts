import { CreateHealthCheckCommand, CreateHostedZoneCommand, type Change } from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import { route53CheckerFractions } from "../../../automation/adapters/aws/route53HealthChecks";
import {
  changeRecordSets,
  listRecordSets,
  routingView,
} from "../../../automation/adapters/aws/route53Records";
import { createHealthSource } from "../../../automation/adapters/http/healthSource";
import { motoClients, unique } from "./motoClients";

/** Contract tests of the Route 53 adapters against moto: real SDK calls over HTTP. */

const clients = motoClients();

async function healthCheck(fqdn: string): Promise<string> {
  const out = await clients.route53().send(
    new CreateHealthCheckCommand({
      CallerReference: unique("ref"),
      HealthCheckConfig: {
        Type: "HTTPS",
        FullyQualifiedDomainName: fqdn,
        ResourcePath: "/health",
        RequestInterval: 10,
        FailureThreshold: 3,
      },
    }),
  );
  return out.HealthCheck?.Id ?? "";
}

describe("Route 53 health checks (moto)", () => {
  it("GetHealthCheckStatus gives each region's checker fraction", async () => {
    const use1 = await healthCheck("app.us-east-1.test.example.com");
    const usw2 = await healthCheck("app.us-west-2.test.example.com");
    expect(use1).not.toBe("");
    const fractions = await route53CheckerFractions(clients.route53())([
      { region: "us-east-1", url: "https://app.us-east-1.test.example.com/health", healthCheckId: use1 },
      { region: "us-west-2", url: "https://app.us-west-2.test.example.com/health", healthCheckId: usw2 },
      { region: "eu-west-1", url: "https://app.eu-west-1.test.example.com/health" },
    ]);
    // moto reports one checker, healthy.
    expect(Object.fromEntries(fractions)).toEqual({ "us-east-1": 1, "us-west-2": 1, "eu-west-1": null });
  });

  it("an unknown health check id leaves that region to its probe", async () => {
    const known = await healthCheck("app.eu-west-1.test.example.com");
    const fractions = await route53CheckerFractions(clients.route53())([
      { region: "eu-west-1", url: "x", healthCheckId: known },
      { region: "us-west-2", url: "x", healthCheckId: "00000000-0000-0000-0000-000000000000" },
    ]);
    expect(fractions.get("eu-west-1")).toBe(1);
    expect(fractions.get("us-west-2")).toBeNull();
  });

  it("feeds the health source: samples carry the checker fraction beside the probe", async () => {
    const id = await healthCheck("app.ap-south-1.test.example.com");
    const source = createHealthSource({
      probe: { check: async () => ({ ok: true, status: 200, latencyMs: 1, detail: "HTTP 200" }) },
      checkers: route53CheckerFractions(clients.route53()),
    });
    const [sample] = await source.observe([
      { region: "ap-south-1", url: "https://x/health", healthCheckId: id },
    ]);
    expect(sample).toMatchObject({ region: "ap-south-1", checkerFraction: 1, probeOk: true });
  });
});

describe("Route 53 records (moto)", () => {
  it("ChangeResourceRecordSets then ListResourceRecordSets shows where failover routing points", async () => {
    const zoneName = `${unique("zone")}.example.com`;
    const zone = await clients
      .route53()
      .send(new CreateHostedZoneCommand({ Name: zoneName, CallerReference: unique("z") }));
    const zoneId = (zone.HostedZone?.Id ?? "").replace("/hostedzone/", "");
    const name = `app.${zoneName}`;
    const hcWriter = await healthCheck(`app.us-east-1.${zoneName}`);
    const hcSecondary = await healthCheck(`app.us-west-2.${zoneName}`);
    const record = (region: string, role: "PRIMARY" | "SECONDARY", hc: string): Change => ({
      Action: "UPSERT",
      ResourceRecordSet: {
        Name: name,
        Type: "CNAME",
        TTL: 60,
        SetIdentifier: region,
        Failover: role,
        HealthCheckId: hc,
        ResourceRecords: [{ Value: `app.${region}.${zoneName}` }],
      },
    });
    const changeId = await changeRecordSets(
      clients.route53(),
      zoneId,
      [record("us-east-1", "PRIMARY", hcWriter), record("us-west-2", "SECONDARY", hcSecondary)],
      "test",
    );
    expect(changeId).not.toBe("");
    // A record of another name must not leak into the answer.
    await changeRecordSets(
      clients.route53(),
      zoneId,
      [
        {
          Action: "UPSERT",
          ResourceRecordSet: {
            Name: `zz.${zoneName}`,
            Type: "A",
            TTL: 60,
            ResourceRecords: [{ Value: "192.0.2.1" }],
          },
        },
      ],
      "other",
    );

    const records = await listRecordSets(clients.route53(), zoneId, name);
    expect(records.map((r) => r.SetIdentifier).sort()).toEqual(["us-east-1", "us-west-2"]);
    const routing = routingView(records);
    expect(routing.primary).toBe("us-east-1");
    expect(routing.healthChecks).toEqual({ "us-east-1": hcWriter, "us-west-2": hcSecondary });

    // A failover moves PRIMARY: the listing follows.
    await changeRecordSets(
      clients.route53(),
      zoneId,
      [record("us-east-1", "SECONDARY", hcWriter), record("us-west-2", "PRIMARY", hcSecondary)],
      "failover",
    );
    expect(routingView(await listRecordSets(clients.route53(), zoneId, name)).primary).toBe("us-west-2");
  });
});
