import { CreateHostedZoneCommand } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { AWS_ENDPOINT_ENV } from "../../automation/adapters/aws/clientConfig";
import { changeRecordSets } from "../../automation/adapters/aws/route53Records";
import { cliEnv } from "../cli/deployFixtures";
import { motoClients, unique } from "../adapters/aws/motoClients";
import { sampleRawConfig } from "../support/sampleConfig";

/** `regionctl check --dns` reads the live records (moto) and compares them with the state. */

const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  const set = {
    [AWS_ENDPOINT_ENV]: inject("motoEndpoint"),
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
  };
  for (const [k, v] of Object.entries(set)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("regionctl check --dns", () => {
  it("shows where the PRIMARY record points and notes when it disagrees with the writer", async () => {
    const route53 = motoClients().route53();
    // moto's zone ids are random; the config accepts only ids shaped like Route 53's (Z...).
    let zoneName = "";
    let zoneId = "";
    for (let i = 0; i < 400 && !zoneId.startsWith("Z"); i++) {
      zoneName = `${unique("dns")}.example.com`;
      const zone = await route53.send(
        new CreateHostedZoneCommand({ Name: zoneName, CallerReference: unique("c") }),
      );
      zoneId = (zone.HostedZone?.Id ?? "").replace("/hostedzone/", "");
    }
    expect(zoneId).toMatch(/^Z[A-Z0-9]+$/);
    const name = `app.${zoneName}`;
    const record = (region: string, role: "PRIMARY" | "SECONDARY") => ({
      Action: "UPSERT" as const,
      ResourceRecordSet: {
        Name: name,
        Type: "CNAME" as const,
        TTL: 60,
        SetIdentifier: region,
        Failover: role,
        ResourceRecords: [{ Value: `app.${region}.${zoneName}` }],
      },
    });
    await changeRecordSets(
      route53,
      zoneId,
      [record("us-west-2", "PRIMARY"), record("us-east-1", "SECONDARY")],
      "test",
    );

    const raw = { ...sampleRawConfig({ regions: 3 }), dns: { zoneId, name } };
    const e = cliEnv({ raw, state: initialState(parseConfig(raw)) });
    const r = await e.run("check", "--config", e.file, "--rounds", "1", "--dns", "--json");
    expect(r.code).toBe(0);
    expect((r.json() as { dns: { primary: string } }).dns.primary).toBe("us-west-2");
    expect(r.stderr.join("\n")).toMatch(/PRIMARY record is us-west-2 but the writer is us-east-1/);
  });
});
