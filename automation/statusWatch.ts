import type { Command } from "commander";
import type { CliIo } from "./cliIo";

/** `status --watch`: the options, added to the status command when it registers. */
export function statusWatchOptions(command: Command): void {
  if (command.name() !== "status") return;
  command
    .option("-w, --watch", "refresh every --interval seconds until Ctrl-C (with --json: JSON Lines)")
    .option("--interval <seconds>", "seconds between refreshes with --watch (default 5)")
    .option("--count <n>", "stop after this many refreshes with --watch");
}

export interface StatusWatch {
  readonly intervalSeconds: number;
  readonly count: number | undefined;
  /** The argument list of one plain `status` run. */
  readonly once: readonly string[];
  readonly problems: readonly string[];
}

/**
 * Reads `status --watch [--interval S] [--count N]` from the argument list, or null when there is no
 * `--watch`. Each refresh is one ordinary `status` run: read-only, so repeating it is safe.
 */
export function parseStatusWatch(args: readonly string[]): StatusWatch | null {
  if (args[0] !== "status" || !args.some((a) => a === "--watch" || a === "-w")) return null;
  const once: string[] = [];
  const problems: string[] = [];
  let interval = "5";
  let count: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--watch" || a === "-w") continue;
    if (a === "--interval" || a === "--count") {
      const value = args[++i] ?? "";
      if (a === "--interval") interval = value;
      else count = value;
      continue;
    }
    once.push(a);
  }
  const whole = (v: string, flag: string, min: number, max: number): number | undefined => {
    const n = Number(v);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problems.push(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return undefined;
  };
  const intervalSeconds = whole(interval, "--interval", 1, 3600) ?? 5;
  const n = count === undefined ? undefined : whole(count, "--count", 1, 1_000_000);
  return { intervalSeconds, count: n, once, problems };
}

/**
 * Runs `status` every interval until Ctrl-C / SIGTERM or `--count`. A refresh that fails (the state
 * store briefly unreachable) is reported and the watch goes on; a usage error ends it at once.
 */
export async function runStatusWatch(
  watch: StatusWatch,
  io: CliIo,
  runOnce: (args: readonly string[]) => Promise<number>,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    let code = 0;
    for (let n = 0; watch.count === undefined || n < watch.count; n++) {
      if (n > 0) {
        const slept = await sleep(watch.intervalSeconds * 1000, stop.signal);
        if (!slept) break;
        if (!watch.once.includes("--json")) io.out("");
      }
      code = await runOnce(watch.once);
      if (code === 2) return code;
    }
    return code;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => resolve(true), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
