import type { Command } from "commander";
import type { EnvironmentConfig } from "../../components/config";
import { reconcileState } from "../../components/operationalState";
import { type RoutingView, readLiveRouting } from "../context";
import type { Ports } from "../ports";
import type { CliIo } from "../cliIo";
import { tickLines } from "../watch/report";
import type { TickReport } from "../watch/watcher";
import {
  type EnvironmentFlags,
  environmentOptions,
  environmentOrUsage,
  flagProblems,
  humanWriter,
  withOperationPorts,
} from "./operationCli";
import { cliWatcher, parseCount, stopOnSignals, tickOutcome } from "./watchShared";

interface CheckFlags extends EnvironmentFlags {
  readonly rounds?: string;
  readonly dns?: boolean;
}

/**
 * `regionctl check`: the watcher's decision, once, and nothing done. It observes every region
 * `--rounds` times (default failover.failureThreshold, a health-check interval apart, so a down
 * writer is confirmed as the watcher would), runs the watcher's own `decide` and prints what the
 * watcher would do (`proposed`), starting, stopping and recording nothing. Exit 1 when something
 * failed or was refused, 3 when a person must act (a failover to run in manual mode, a paused or
 * interrupted release).
 */
export function registerCheck(program: Command, io: CliIo): void {
  environmentOptions(
    program
      .command("check")
      .description(
        "observe every region and print what the watcher would decide (failover, hold-out, repairs, sync retries); starts nothing",
      )
      .option("--rounds <n>", "observations before deciding (default: failover.failureThreshold)")
      .option("--dns", "also read the live Route 53 records and compare them with the operational state"),
  ).action(async (flags: CheckFlags, command: Command) => {
    const problems = flagProblems(flags, command.args);
    const rounds = parseCount(flags.rounds, "--rounds", 1, 20, problems);
    const env = await environmentOrUsage(flags, problems);
    await withOperationPorts(io, "check", flags, env, async (ports) => {
      await ports.preflight?.();
      const human = humanWriter(io, flags.json);
      const stop = stopOnSignals(io);
      try {
        const watcher = cliWatcher(env, ports, io, stop.signal, { dryRun: true });
        const n = rounds ?? env.config.failover.failureThreshold;
        let report: TickReport | undefined;
        for (let i = 0; i < n; i++) {
          if (i > 0) await ports.clock.sleep(env.config.dns.healthCheck.intervalSeconds * 1000, stop.signal);
          report = await watcher.tick();
        }
        const final = report as TickReport;
        for (const line of tickLines(final)) human(line);
        const dns = flags.dns === true ? await dnsView(env.config, ports) : null;
        if (dns !== null) for (const line of dns.lines) human(line);
        const { code, outcome } = tickOutcome(final.exitCode);
        if (flags.json === true) {
          io.out(
            JSON.stringify(
              {
                command: "check",
                outcome,
                stack: env.stack,
                report: final,
                dns: dns?.routing ?? null,
                exitCode: code,
              },
              null,
              2,
            ),
          );
        }
        io.exitCode = code;
      } finally {
        stop.dispose();
      }
    });
  });
}

/**
 * Where Route 53 sends clients now, from the live records (set identifiers are region names), and
 * whether that agrees with the operational state: a PRIMARY record elsewhere than the writer means
 * a stack update is pending or failed.
 */
async function dnsView(
  config: EnvironmentConfig,
  ports: Ports,
): Promise<{ routing: RoutingView; lines: string[] }> {
  const state = reconcileState(config, (await ports.state.read())?.state ?? null);
  const routing = await readLiveRouting(config);
  const lines = [`dns ${config.dns.name} (${config.dns.routing}): PRIMARY ${routing.primary ?? "none"}`];
  for (const [region, weight] of Object.entries(routing.weights)) lines.push(`  weight ${region}: ${weight}`);
  if (config.dns.routing === "failover" && routing.primary !== state.writer) {
    lines.push(
      `  note: the PRIMARY record is ${routing.primary ?? "missing"} but the writer is ${state.writer}; a stack update is pending or failed`,
    );
  }
  return { routing, lines };
}
