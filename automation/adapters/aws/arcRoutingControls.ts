import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from "@aws-sdk/client-route53-recovery-cluster";
import {
  TrafficChangeRejectedError,
  type TrafficControl,
  TrafficControlUnavailableError,
  type TrafficState,
} from "../../ports";
import { assertTrafficChange } from "../../trafficChange";
import { declareActions } from "./awsActions";
import { type AwsClientConfig, type AwsClientOptions, awsClientConfig } from "./clientConfig";

export const ARC_ROUTING_CONTROL_ACTIONS = declareActions(
  "arc-routing-controls",
  "route53-recovery-cluster",
  ["GetRoutingControlState", "UpdateRoutingControlStates"],
);

/** One of an ARC cluster's regional data-plane endpoints, as the cluster reports it. */
export interface ClusterEndpoint {
  readonly endpoint: string;
  readonly region: string;
}

export interface ArcRoutingControlsOptions {
  /** The cluster's endpoints (five, one per region it runs in). */
  readonly endpoints: readonly ClusterEndpoint[];
  /** The routing control ARN of every region under control. */
  readonly routingControlArns: Readonly<Record<string, string>>;
  /** The client for one endpoint. Default: a client with short timeouts and no retries of its own. */
  readonly clientFor?: (endpoint: ClusterEndpoint) => Route53RecoveryClusterClient;
  /** Picks the first endpoint to try, in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Overrides for the default clients (credentials, timeouts). */
  readonly clientOptions?: AwsClientOptions;
}

/**
 * Short, because another endpoint is the cure for a slow one: five endpoints tried in turn must
 * still fit well inside one health-check interval.
 */
export const ARC_ENDPOINT_TIMEOUTS = { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000 } as const;

/**
 * The client config for one cluster endpoint: that endpoint, short timeouts, and a single attempt,
 * because the rotation is the retry: a second attempt at a sick endpoint only delays the next one.
 */
export function arcClusterClientConfig(
  ep: ClusterEndpoint,
  clientOptions: AwsClientOptions = {},
): AwsClientConfig {
  return awsClientConfig(ep.region, {
    ...ARC_ENDPOINT_TIMEOUTS,
    maxAttempts: 1,
    ...clientOptions,
    endpoint: ep.endpoint,
  });
}

/**
 * An endpoint's error that is the cluster's answer (a safety rule, a bad ARN, access denied), as
 * opposed to the endpoint being unable to answer (network error, timeout, 5xx, throttling,
 * EndpointTemporarilyUnavailableException), which another endpoint may cure.
 */
function isClusterAnswer(err: unknown): boolean {
  const e = err as { name?: string; $fault?: string };
  if (e.name === "ThrottlingException" || e.name === "EndpointTemporarilyUnavailableException") return false;
  return e.$fault === "client";
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? "Error"}: ${e.message ?? String(err)}`;
}

/**
 * Route 53 ARC routing controls through the cluster's data plane. AWS asks clients to try the
 * cluster's regional endpoints in turn until one answers; any one of them is enough, so the traffic
 * move works while any single region, us-east-1 included, is out. Each call starts at a random
 * endpoint so many controllers do not all lean on the first.
 */
export function arcRoutingControls(options: ArcRoutingControlsOptions): TrafficControl {
  const regions = Object.keys(options.routingControlArns).sort();
  if (options.endpoints.length === 0) throw new Error("arc routing controls: the cluster lists no endpoints");
  if (regions.length === 0) throw new Error("arc routing controls: no routing control ARNs");
  const random = options.random ?? Math.random;
  const clients = new Map<string, Route53RecoveryClusterClient>();
  const clientFor =
    options.clientFor ??
    ((ep: ClusterEndpoint) =>
      new Route53RecoveryClusterClient(arcClusterClientConfig(ep, options.clientOptions)));
  const client = (ep: ClusterEndpoint): Route53RecoveryClusterClient => {
    let c = clients.get(ep.endpoint);
    if (c === undefined) {
      c = clientFor(ep);
      clients.set(ep.endpoint, c);
    }
    return c;
  };

  async function onAnyEndpoint<T>(
    call: (c: Route53RecoveryClusterClient) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const n = options.endpoints.length;
    const start = Math.min(n - 1, Math.floor(random() * n));
    const attempts: string[] = [];
    for (let i = 0; i < n; i++) {
      signal?.throwIfAborted();
      const ep = options.endpoints[(start + i) % n];
      try {
        return await call(client(ep));
      } catch (err) {
        if (signal?.aborted === true || isClusterAnswer(err)) throw err;
        attempts.push(`${ep.region} ${ep.endpoint}: ${describeError(err)}`);
      }
    }
    throw new TrafficControlUnavailableError(attempts);
  }

  return {
    regions,

    async setRegions(on, off, signal) {
      assertTrafficChange(regions, on, off);
      const entries = [
        ...on.map((r) => ({
          RoutingControlArn: options.routingControlArns[r],
          RoutingControlState: "On" as const,
        })),
        ...off.map((r) => ({
          RoutingControlArn: options.routingControlArns[r],
          RoutingControlState: "Off" as const,
        })),
      ];
      try {
        await onAnyEndpoint(
          (c) =>
            c.send(new UpdateRoutingControlStatesCommand({ UpdateRoutingControlStateEntries: entries }), {
              abortSignal: signal,
            }),
          signal,
        );
      } catch (err) {
        if ((err as { name?: string }).name === "ConflictException") {
          throw new TrafficChangeRejectedError(
            `turning on [${on.join(", ")}] and off [${off.join(", ")}]: ${describeError(err)}`,
          );
        }
        throw err;
      }
    },

    async describe(signal) {
      return onAnyEndpoint(async (c) => {
        const states = await Promise.all(
          regions.map(async (r) => {
            const out = await c.send(
              new GetRoutingControlStateCommand({ RoutingControlArn: options.routingControlArns[r] }),
              { abortSignal: signal },
            );
            const state: TrafficState = out.RoutingControlState === "On" ? "on" : "off";
            return [r, state] as const;
          }),
        );
        return new Map(states);
      }, signal);
    },
  };
}

/** The cluster and routing controls as the program exports them (the `arc` stack output). */
export interface ArcStackOutput {
  readonly clusterEndpoints: readonly ClusterEndpoint[];
  readonly routingControlArns: Readonly<Record<string, string>>;
}

/**
 * Reads the `arc` stack output into adapter options, naming every missing or malformed field, so
 * a stack deployed without `dns.control: arc` says so instead of failing at the first flip.
 */
export function arcOptionsFromOutputs(outputs: Readonly<Record<string, unknown>>): ArcStackOutput {
  const arc = outputs.arc as Record<string, unknown> | undefined;
  const problems: string[] = [];
  if (typeof arc !== "object" || arc === null) {
    throw new Error("stack output arc is missing: deploy the stack with dns.control: arc");
  }
  const endpoints = Array.isArray(arc.clusterEndpoints) ? (arc.clusterEndpoints as unknown[]) : [];
  const parsed: ClusterEndpoint[] = [];
  endpoints.forEach((e, i) => {
    const ep = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
    if (typeof ep.endpoint !== "string" || typeof ep.region !== "string") {
      problems.push(`arc.clusterEndpoints[${i}]: needs endpoint and region`);
    } else {
      parsed.push({ endpoint: ep.endpoint, region: ep.region });
    }
  });
  if (endpoints.length === 0) problems.push("arc.clusterEndpoints: the cluster lists no endpoints");
  const arns = (
    typeof arc.routingControlArns === "object" && arc.routingControlArns !== null
      ? arc.routingControlArns
      : {}
  ) as Record<string, unknown>;
  const routingControlArns: Record<string, string> = {};
  for (const [region, value] of Object.entries(arns)) {
    if (typeof value === "string") routingControlArns[region] = value;
    else problems.push(`arc.routingControlArns.${region}: not an ARN`);
  }
  if (Object.keys(arns).length === 0) problems.push("arc.routingControlArns: no routing controls");
  if (problems.length > 0) throw new Error(`stack output arc is invalid: ${problems.join("; ")}`);
  return { clusterEndpoints: parsed, routingControlArns };
}

/**
 * The routing controls of a deployed stack, opened on first use from its `arc` output and kept:
 * a command that never moves traffic never reads the output, and a watcher that has read it once
 * keeps flipping while the Pulumi backend is down. A failed read is tried again on the next call.
 */
export function arcRoutingControlsFromStack(
  regions: readonly string[],
  outputs: () => Promise<Readonly<Record<string, unknown>>>,
  options: Pick<ArcRoutingControlsOptions, "clientOptions" | "random" | "clientFor"> = {},
): TrafficControl & { readonly open: () => Promise<TrafficControl> } {
  let opened: Promise<TrafficControl> | undefined;
  const open = (): Promise<TrafficControl> => {
    opened ??= outputs().then((o) => {
      const arc = arcOptionsFromOutputs(o);
      return arcRoutingControls({
        ...options,
        endpoints: arc.clusterEndpoints,
        routingControlArns: arc.routingControlArns,
      });
    });
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  };
  return {
    regions: [...regions].sort(),
    open,
    async setRegions(on, off, signal) {
      return (await open()).setRegions(on, off, signal);
    },
    async describe(signal) {
      return (await open()).describe(signal);
    },
  };
}
