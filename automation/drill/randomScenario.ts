import { type Scenario, validateScenario } from "./scenario";
import { sequence } from "./random";

const POOL = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];

/** What the generator may draw. `single`: one endpoint fault (and its recovery), and nothing else. */
export interface RandomScenarioOptions {
  readonly untilSeconds?: number;
  readonly single?: boolean;
}

/** Fisher-Yates (Knuth, TAOCP vol. 2, algorithm P): every order equally likely. */
export function shuffle<T>(xs: readonly T[], rnd: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * A random but valid scenario for property tests and benchmarks, as the raw YAML document: a
 * release (a good build, or one bad by errors or by latency, any strategy) and a few faults drawn
 * from outages, flaps, degradations, API errors (bursts that outlast the controller's retries too),
 * stack update failures, replication breaks, planned switchovers and failbacks, an operator's abort
 * or promote (plain or `--full`) of whatever is in flight, often overlapping and mostly while the
 * release runs; a fifth of the environments lack managed failover and detach.
 */
export function randomScenarioDocument(
  seed: number,
  options: RandomScenarioOptions = {},
): Record<string, unknown> {
  const untilSeconds = options.untilSeconds ?? 1800;
  const rnd = sequence(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const count = int(2, 4);
  const regions = shuffle(POOL, rnd).slice(0, count);
  const bad = pick(["none", "none", "none", "errors", "latency"] as const);
  const deployAt = int(30, 300);
  const release = { version: "1.1.0", strategy: pick(["rolling", "blue-green", "canary"]) };
  // A single-fault schedule has nothing else in it, not even a release.
  const events: Record<string, unknown>[] =
    options.single === true ? [] : [{ at: deployAt, deploy: release }];
  const faults = options.single === true ? 1 : int(1, 3);
  const kinds =
    options.single === true
      ? (["outage", "outage", "flap", "degrade"] as const)
      : ([
          "outage",
          "outage",
          "flap",
          "degrade",
          "apiErrors",
          "stackUpdateFailure",
          "replicationBreak",
          "switchover",
          "failback",
          "abort",
          "promote",
        ] as const);
  for (let i = 0; i < faults; i++) {
    const at = rnd() < 0.6 ? deployAt + int(0, 400) : int(60, untilSeconds - 400);
    const region = pick(regions);
    const recoverAfter = int(120, 900);
    switch (pick(kinds)) {
      case "outage":
        events.push({ at, outage: { region } });
        if (options.single === true || rnd() < 0.8)
          events.push({ at: Math.min(at + recoverAfter, untilSeconds), recover: { region } });
        break;
      case "flap":
        events.push({ at, flap: { region, periodSeconds: pick([40, 80, 120, 180]) } });
        events.push({ at: Math.min(at + recoverAfter, untilSeconds), recover: { region } });
        break;
      case "degrade":
        events.push({ at, degrade: { region, errorRate: pick([0.25, 0.5, 0.9]) } });
        events.push({ at: Math.min(at + recoverAfter, untilSeconds), recover: { region } });
        break;
      case "apiErrors": {
        const service = pick(["route53", "rds", "cloudwatch", "kubernetes"] as const);
        events.push({
          at,
          apiErrors:
            service === "route53"
              ? { service, count: pick([int(1, 6), int(20, 60)]) }
              : { service, region, count: int(1, service === "rds" ? 8 : 3) },
        });
        break;
      }
      case "stackUpdateFailure":
        events.push({ at: Math.max(0, deployAt - 1), stackUpdateFailure: { region, count: int(1, 2) } });
        break;
      case "replicationBreak":
        events.push({ at, replicationBreak: { region } });
        break;
      case "switchover":
        events.push({ at, switchover: { to: pick(regions.slice(1)) } });
        break;
      case "failback":
        events.push({ at, failback: {} });
        break;
      case "abort":
        events.push({ at, abort: {} });
        break;
      case "promote":
        events.push({ at, promote: { full: pick([false, true]) } });
        break;
    }
  }
  const doc = {
    name: `random-${seed}${options.single === true ? "-single" : ""}`,
    regions,
    writer: regions[0],
    healthCheck: { intervalSeconds: 10, failureThreshold: pick([2, 3]) },
    dnsTtlSeconds: pick([30, 60]),
    routing: pick(["failover", "latency", "weighted"]),
    failover: { mode: options.single === true || rnd() < 0.8 ? "auto" : "manual", flapCooldownSeconds: 300 },
    release: {
      bakeSeconds: pick([60, 120]),
      analysisIntervalSeconds: 30,
      scaleDownDelaySeconds: pick([0, 120]),
      healthTimeoutSeconds: 120,
    },
    versions: {
      "1.0.0": { errorRate: 0.001 },
      "1.1.0":
        bad === "errors"
          ? { errorRate: 0.3 }
          : bad === "latency"
            ? { errorRate: 0.002, latencyMs: 5900 }
            : { errorRate: 0.002 },
    },
    initialVersion: "1.0.0",
    // Some environments lack managed global database failover: a writer outage there detaches.
    database: { lagSeconds: pick([0.2, 0.5, 1.5]), rebuildSeconds: 300, managedFailover: rnd() >= 0.2 },
    events,
    until: untilSeconds,
  };
  // Drawn after everything else, so the rest of a seed's schedule stays what it was.
  return rnd() < 0.25 ? { ...doc, dnsControl: "arc" } : doc;
}

/** `randomScenarioDocument`, validated as any scenario file is. */
export function randomScenario(
  seed: number,
  untilSeconds = 1800,
  options: RandomScenarioOptions = {},
): Scenario {
  const raw = randomScenarioDocument(seed, { ...options, untilSeconds });
  const parsed = validateScenario(raw, String(raw.name));
  if (!parsed.ok) throw new Error(`random scenario ${seed} is invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.scenario;
}
