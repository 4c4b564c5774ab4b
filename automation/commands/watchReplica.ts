import type { CliIo } from "../cliIo";
import { type LoadedEnvironment, openReplicaStores } from "../context";
import { holderName } from "../leaseHolder";
import type { Ports } from "../ports";
import { type Replica, startReplica } from "../watch/replica";
import type { TickReport } from "../watch/tickReport";

export interface ReplicaFlags {
  readonly replica?: boolean;
  readonly region?: string;
}

/** Set to 1 to run `regionctl watch` as a replica without `controlPlane.watchers` or `--replica`. */
export const REPLICA_ENV = "REGIONCTL_REPLICA";

/**
 * Whether `regionctl watch` runs as one of several replicas, and from which region: with
 * `controlPlane.watchers` in the config, `--replica`, or REGIONCTL_REPLICA=1; the region is
 * `--region`, else AWS_REGION. Null: a lone watcher. Problems name the flag or the setting.
 */
export function replicaVoter(
  flags: ReplicaFlags,
  env: LoadedEnvironment | null,
  problems: string[],
  environ: Readonly<Record<string, string | undefined>> = process.env,
): string | null {
  const watchers = env?.config.controlPlane.watchers ?? [];
  const on = flags.replica === true || environ[REPLICA_ENV] === "1" || watchers.length > 0;
  if (!on) {
    if (flags.region !== undefined) problems.push("--region: only a replica takes a region (add --replica)");
    return null;
  }
  const fromEnv = environ.AWS_REGION === "" ? undefined : environ.AWS_REGION;
  const voter = flags.region ?? fromEnv;
  if (voter === undefined) {
    problems.push("--region: a replica needs its own region (--region or AWS_REGION)");
    return null;
  }
  if (env === null) return voter;
  const regions = env.config.regions.map((r) => r.region);
  if (!regions.includes(voter)) {
    problems.push(`--region: ${voter} is not a region of ${env.configFile} (${regions.join(", ")})`);
    return null;
  }
  if (watchers.length > 0 && !watchers.includes(voter)) {
    problems.push(
      `--region: ${voter} is not among regionctl:controlPlane.watchers (${watchers.join(", ")}); the others would not read its votes`,
    );
    return null;
  }
  return voter;
}

/** The replicas whose verdicts vote: `controlPlane.watchers`, else every region of the config. */
export function replicaVoters(env: LoadedEnvironment): string[] {
  const watchers = env.config.controlPlane.watchers;
  return watchers.length > 0 ? [...watchers] : env.config.regions.map((r) => r.region);
}

/**
 * `regionctl watch` as a replica: the leadership lease and the vantage board beside the state,
 * in the store the config names. Taking and losing the lead are said on stderr and, with
 * `--json`, as `type: "leader"` events on stdout.
 */
export function cliReplica(
  env: LoadedEnvironment,
  ports: Ports,
  io: CliIo,
  options: {
    readonly voter: string;
    readonly intervalMs: number;
    readonly json: boolean;
    readonly signal: AbortSignal;
    readonly onReport: (report: TickReport) => void;
  },
): Replica {
  const stores = openReplicaStores(env, replicaVoters(env), ports.clock);
  const holder = holderName();
  const say = (leading: boolean, detail: string): void => {
    io.err(
      leading
        ? `watch: ${holder} (${options.voter}) leads ${env.config.environment} now`
        : `watch: ${holder} (${options.voter}) no longer leads: ${detail}; it stands by`,
    );
    if (options.json) {
      io.out(
        JSON.stringify({
          command: "watch",
          type: "leader",
          leading,
          holder,
          region: options.voter,
          at: new Date(ports.clock.now()).toISOString(),
          ...(leading ? {} : { reason: detail }),
        }),
      );
    }
  };
  return startReplica({
    config: env.config,
    ports,
    holder,
    stack: env.stack,
    signal: options.signal,
    onEvent: (line) => io.err(`  ${line}`),
    voter: options.voter,
    leaders: stores.leaders,
    board: stores.board,
    intervalMs: options.intervalMs,
    onLead: (_term, report) => {
      say(true, "");
      void report.then(
        (r) => {
          if (r !== null) options.onReport(r);
        },
        (err: unknown) =>
          io.err(
            `watch: deciding on taking the lead failed: ${err instanceof Error ? err.message : String(err)}`,
          ),
      );
    },
    onStandBy: (why) => say(false, why),
  });
}
