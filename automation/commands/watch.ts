import type { Command } from "commander";
import type { CliIo } from "../cliIo";
import { EXIT_FAILED, EXIT_OK, EXIT_PAUSED } from "../errors";
import { completedLine, tickLines } from "../watch/report";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  flagProblems,
  humanWriter,
  withOperationPorts,
} from "./operationCli";
import { writeHeartbeat } from "./heartbeat";
import { cliWatcher, parseCount, stopOnSignals, tickOutcome } from "./watchShared";

interface WatchFlags extends EnvironmentFlags {
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
      .option("--heartbeat-file <path>", "rewrite this file after every observation (for a liveness probe)"),
  ).action(async (flags: WatchFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    const interval = parseCount(flags.interval, "--interval", 1, 3600, problems);
    const ticks = parseCount(flags.ticks, "--ticks", 1, 1_000_000, problems);
    const env = await environmentOrUsage(flags, problems);
    await withOperationPorts(io, "watch", flags, env, async (ports) => {
      await ports.preflight?.();
      const human = humanWriter(io, flags.json);
      const stop = stopOnSignals(io);
      const intervalMs = (interval ?? env.config.dns.healthCheck.intervalSeconds) * 1000;
      let code = EXIT_OK;
      try {
        const watcher = cliWatcher(env, ports, io, stop.signal);
        human(
          `watching ${env.config.environment} (stack ${env.stack}) every ${intervalMs / 1000} s, failover mode ${env.config.failover.mode}`,
        );
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
            await ports.clock.sleep(intervalMs, stop.signal).catch(() => undefined);
            continue;
          }
          await writeHeartbeat(flags.heartbeatFile, ports.clock.now(), (line) => io.err(line));
          if (flags.json === true) io.out(JSON.stringify({ command: "watch", type: "tick", ...report }));
          else for (const line of tickLines(report)) human(line);
          if (report.exitCode !== 0 && flags.keepGoing !== true) {
            code = tickOutcome(report.exitCode).code;
            break;
          }
          try {
            await ports.clock.sleep(intervalMs, stop.signal);
          } catch {
            break;
          }
        }
        for (const c of await watcher.settled()) {
          io.err(completedLine(c));
          if (c.outcome !== "succeeded") code = EXIT_FAILED;
        }
      } finally {
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
