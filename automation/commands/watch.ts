import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import { EXIT_FAILED, EXIT_OK, EXIT_PAUSED, UsageError } from "../errors";
import type { TickReport } from "../watch/tickReport";
import { completedLine, tickLines } from "../watch/report";
import { nextRoundAt } from "../watch/tickSchedule";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  flagProblems,
  humanWriter,
  withOperationPorts,
} from "./operationCli";
import { writeHeartbeat } from "./heartbeat";
import { type ReplicaFlags, cliReplica, replicaVoter } from "./watchReplica";
import { cliWatcher, parseCount, stopOnSignals, tickOutcome } from "./watchShared";

interface WatchFlags extends EnvironmentFlags, ReplicaFlags {
  readonly interval?: string;
  readonly ticks?: string;
  readonly keepGoing?: boolean;
  readonly heartbeatFile?: string;
}

/**
 * `regionctl watch`: the long-running watcher. Every `--interval` seconds (default the health-check
 * interval) it observes every region and decides. Stops on Ctrl-C / SIGTERM; unless `--keep-going`
 * it exits as soon as a person must act: 1 for a refused failover or a failed operation, 3 when
 * the controller waits for a person (a failover to run in manual mode, a paused or interrupted
 * release). With `--json`, JSON Lines: one `type: "tick"` object per observation, then one
 * `type: "result"` object with the outcome and exit code.
 *
 * As one of several replicas (`controlPlane.watchers` in the config, `--replica`, or
 * REGIONCTL_REPLICA=1) it votes from its own region and acts only while it holds the leadership
 * lease; a standby decides as a dry run and says so. Taking and losing the lead are logged, and
 * with `--json` come as `type: "leader"` objects.
 */
export function registerWatch(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("watch")
      .description("watch every region and fail over, hold out, readmit, repair and retry syncs on its own")
      .option(
        "--interval <seconds>",
        "seconds between observations (default: dns.healthCheck.intervalSeconds)",
      )
      .option("--ticks <n>", "stop after this many observations (default: run until stopped)")
      .option("--keep-going", "keep watching when a person must act, instead of exiting 1 or 3")
      .option("--heartbeat-file <path>", "rewrite this file after every observation (for a liveness probe)")
      .option("--replica", "run as one of several watchers: vote from its region, act only while leading")
      .option("--region <region>", "a replica's own region (default: AWS_REGION)"),
  ).action(async (flags: WatchFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    const interval = parseCount(flags.interval, "--interval", 1, 3600, problems);
    const ticks = parseCount(flags.ticks, "--ticks", 1, 1_000_000, problems);
    replicaVoter(flags, null, problems);
    const env = await environmentOrUsage(flags, problems);
    const replicaProblems: string[] = [];
    const voter = replicaVoter(flags, env, replicaProblems);
    if (replicaProblems.length > 0) {
      throw new UsageError(`${replicaProblems.length} problem(s); nothing was changed:`, replicaProblems);
    }
    await withOperationPorts(io, "watch", flags, env, async (ports) => {
      await ports.preflight?.();
      const human = humanWriter(io, flags.json);
      const stop = stopOnSignals(io);
      const intervalMs = (interval ?? env.config.dns.healthCheck.intervalSeconds) * 1000;
      // A replica that takes the lead decides at once on what it already observed: that decision
      // is not an observation, so it is told apart from the ticks `--ticks` counts.
      const print = (report: TickReport, type: "tick" | "takeover" = "tick"): void => {
        if (flags.json === true) io.out(JSON.stringify({ command: "watch", type, ...report }));
        else for (const line of tickLines(report)) human(line);
      };
      let code = EXIT_OK;
      // The leadership loop ends with the watch, however it ends.
      const done = new AbortController();
      const replica =
        voter === null
          ? null
          : cliReplica(env, ports, io, {
              voter,
              intervalMs,
              json: flags.json === true,
              signal: AbortSignal.any([stop.signal, done.signal]),
              onReport: (report) => print(report, "takeover"),
            });
      try {
        const watcher = replica?.watcher ?? cliWatcher(env, ports, io, stop.signal);
        human(
          `watching ${env.config.environment} (stack ${env.stack}) every ${intervalMs / 1000} s, failover mode ${env.config.failover.mode}` +
            (voter === null ? "" : `, as the replica in ${voter}`),
        );
        // Rounds start one interval apart, not an interval after the previous round ended: a
        // round that waits out a probe timeout would otherwise stretch every period by it.
        let scheduled = ports.clock.now();
        const untilNextRound = (): number => {
          scheduled = nextRoundAt(scheduled, intervalMs, ports.clock.now());
          return scheduled - ports.clock.now();
        };
        for (let n = 0; ticks === undefined || n < ticks; n++) {
          if (stop.signal.aborted) break;
          let report;
          try {
            report = await watcher.tick();
          } catch (err) {
            if (stop.signal.aborted) break;
            // A failing observation (state store, network) must not end the watch: say so, go on.
            io.err(`watch: this observation failed: ${err instanceof Error ? err.message : String(err)}`);
            await writeHeartbeat(flags.heartbeatFile, ports.clock.now(), (line) => io.err(line));
            await ports.clock.sleep(untilNextRound(), stop.signal).catch(() => undefined);
            continue;
          }
          await writeHeartbeat(flags.heartbeatFile, ports.clock.now(), (line) => io.err(line));
          print(report);
          if (report.exitCode !== 0 && flags.keepGoing !== true) {
            code = tickOutcome(report.exitCode).code;
            break;
          }
          try {
            await ports.clock.sleep(untilNextRound(), stop.signal);
          } catch {
            break;
          }
        }
        for (const c of await watcher.settled()) {
          io.err(completedLine(c));
          if (c.outcome !== "succeeded") code = EXIT_FAILED;
        }
      } finally {
        if (replica !== null) {
          // Frees the lease, so a standby takes over at once, not after the TTL.
          done.abort();
          await replica.leading;
          await replica.leadership.resign();
        }
        stop.dispose();
      }
      io.exitCode = code;
      if (flags.json === true) {
        const result = stop.signal.aborted
          ? "stopped"
          : code === EXIT_OK
            ? "done"
            : code === EXIT_PAUSED
              ? "waiting-for-person"
              : "needs-attention";
        io.out(JSON.stringify({ command: "watch", type: "result", outcome: result, exitCode: code }));
      }
    });
  });
}
