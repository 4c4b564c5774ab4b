import {
  ConflictException,
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
  type UpdateRoutingControlStateEntry,
} from "@aws-sdk/client-route53-recovery-cluster";
import { mockClient } from "aws-sdk-client-mock";
import type { ClusterEndpoint } from "../../../automation/adapters/aws/arcRoutingControls";

/**
 * An ARC cluster behind a mocked SDK: routing control states by ARN, an assertion safety rule
 * (at least one control on) judged on each whole batch, endpoints that can be taken down, and a
 * log of which endpoint received which command.
 */
export interface ArcClusterMock {
  readonly endpoints: readonly ClusterEndpoint[];
  readonly states: Map<string, "On" | "Off">;
  /** Endpoints (by URL) that fail as an unreachable endpoint does. */
  readonly down: Set<string>;
  readonly calls: { endpoint: string; command: string; input: unknown }[];
  clientFor(ep: ClusterEndpoint): Route53RecoveryClusterClient;
  restore(): void;
}

export const ARC_ENDPOINT_REGIONS = [
  "ap-northeast-1",
  "ap-southeast-2",
  "eu-west-1",
  "us-east-1",
  "us-west-2",
];

export const arcEndpoints = (): ClusterEndpoint[] =>
  ARC_ENDPOINT_REGIONS.map((region, i) => ({
    region,
    endpoint: `https://host-${String.fromCharCode(97 + i)}.${region}.example.com/v1`,
  }));

export const routingControlArn = (region: string): string =>
  `arn:aws:route53-recovery-control::123456789012:controlpanel/panel/routingcontrol/${region}`;

export function arcClusterMock(regions: readonly string[]): ArcClusterMock {
  const mock = mockClient(Route53RecoveryClusterClient);
  const endpoints = arcEndpoints();
  const states = new Map<string, "On" | "Off">(regions.map((r) => [routingControlArn(r), "On"]));
  const down = new Set<string>();
  const calls: ArcClusterMock["calls"] = [];
  const endpointOf = new Map<Route53RecoveryClusterClient, string>();

  const reach = (getClient: () => unknown, command: string, input: unknown): void => {
    const endpoint = endpointOf.get(getClient() as Route53RecoveryClusterClient) ?? "?";
    calls.push({ endpoint, command, input });
    if (down.has(endpoint)) {
      throw Object.assign(new Error(`connect ETIMEDOUT ${endpoint}`), { name: "TimeoutError" });
    }
  };

  mock.on(UpdateRoutingControlStatesCommand).callsFake((input, getClient) => {
    reach(getClient, "UpdateRoutingControlStates", input);
    const entries = (input as { UpdateRoutingControlStateEntries: UpdateRoutingControlStateEntry[] })
      .UpdateRoutingControlStateEntries;
    const next = new Map(states);
    for (const e of entries) {
      if (!states.has(e.RoutingControlArn ?? ""))
        throw new Error(`unknown routing control ${e.RoutingControlArn}`);
      next.set(e.RoutingControlArn as string, e.RoutingControlState as "On" | "Off");
    }
    if (![...next.values()].includes("On")) {
      throw new ConflictException({
        message: "safety rule at-least-one-on would be violated",
        $metadata: { httpStatusCode: 409 },
        resourceId: "safety-rule",
        resourceType: "SafetyRule",
      });
    }
    for (const [arn, s] of next) states.set(arn, s);
    return {};
  });
  mock.on(GetRoutingControlStateCommand).callsFake((input, getClient) => {
    reach(getClient, "GetRoutingControlState", input);
    const arn = (input as { RoutingControlArn: string }).RoutingControlArn;
    return { RoutingControlArn: arn, RoutingControlState: states.get(arn) };
  });

  return {
    endpoints,
    states,
    down,
    calls,
    clientFor(ep) {
      const c = new Route53RecoveryClusterClient({
        region: ep.region,
        endpoint: ep.endpoint,
        credentials: { accessKeyId: "x", secretAccessKey: "y" },
      });
      endpointOf.set(c, ep.endpoint);
      return c;
    },
    restore: () => mock.restore(),
  };
}
