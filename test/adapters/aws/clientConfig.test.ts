import { CloudWatchClient, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, inject, it } from "vitest";
import { AWS_ENDPOINT_ENV, awsClientConfig } from "../../../automation/adapters/aws/clientConfig";

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const servers: Server[] = [];
afterAll(() =>
  servers.forEach((s) => {
    s.closeAllConnections();
    s.close();
  }),
);

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("awsClientConfig", () => {
  it("defaults to adaptive retries, 5 attempts and bounded connect/request times", () => {
    const c = awsClientConfig("eu-west-1", {}, {});
    expect(c).toMatchObject({ region: "eu-west-1", maxAttempts: 5, retryMode: "adaptive" });
    expect(c.endpoint).toBeUndefined();
    expect(c.requestHandler).toBeInstanceOf(NodeHttpHandler);
  });

  it("takes the endpoint from REGIONCTL_AWS_ENDPOINT unless one is given, and ignores an empty one", () => {
    expect(awsClientConfig("us-east-1", {}, { [AWS_ENDPOINT_ENV]: "http://127.0.0.1:5000" }).endpoint).toBe(
      "http://127.0.0.1:5000",
    );
    expect(
      awsClientConfig(
        "us-east-1",
        { endpoint: "http://127.0.0.1:6000" },
        { [AWS_ENDPOINT_ENV]: "http://x:1" },
      ).endpoint,
    ).toBe("http://127.0.0.1:6000");
    expect(awsClientConfig("us-east-1", {}, { [AWS_ENDPOINT_ENV]: "" }).endpoint).toBeUndefined();
  });

  it("reaches moto through the endpoint override", async () => {
    const client = new CloudWatchClient(
      awsClientConfig("us-east-1", { credentials }, { [AWS_ENDPOINT_ENV]: inject("motoEndpoint") }),
    );
    const res = await client.send(new ListMetricsCommand({ Namespace: "regionctl-nothing-here" }));
    expect(res.Metrics).toEqual([]);
  });

  it("gives up on a hung endpoint after requestTimeoutMs on every attempt, not never", async () => {
    let requests = 0;
    const endpoint = await listen(() => {
      requests++; // never answers
    });
    const client = new CloudWatchClient(
      awsClientConfig("us-east-1", {
        endpoint,
        credentials,
        requestTimeoutMs: 300,
        maxAttempts: 2,
        retryMode: "standard",
      }),
    );
    const started = Date.now();
    await expect(client.send(new ListMetricsCommand({}))).rejects.toMatchObject({ name: "TimeoutError" });
    const took = Date.now() - started;
    expect(requests).toBe(2);
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(5_000);
  });

  it("retries throttling with backoff up to maxAttempts", async () => {
    let requests = 0;
    const endpoint = await listen((_req, res) => {
      requests++;
      // CloudWatch speaks JSON 1.0 with the query-compatible error header.
      res.writeHead(400, {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-query-error": "Throttling;Sender",
      });
      res.end(JSON.stringify({ __type: "com.amazonaws.cloudwatch#Throttling", message: "Rate exceeded" }));
    });
    const client = new CloudWatchClient(
      awsClientConfig("us-east-1", { endpoint, credentials, maxAttempts: 3 }),
    );
    await expect(client.send(new ListMetricsCommand({}))).rejects.toMatchObject({ name: "Throttling" });
    expect(requests).toBe(3);
  });
});
