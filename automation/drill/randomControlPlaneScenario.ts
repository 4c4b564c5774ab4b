import { sequence } from "./random";
import { shuffle } from "./randomScenario";
import { type Scenario, validateScenario } from "./scenario";

const APP_POOL = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
/** Regions that host only watchers (and store replicas): their outages are watcher crashes. */
const WATCHER_POOL = ["us-east-2", "ca-central-1", "ap-northeast-1", "sa-east-1"];

/**
 * A random schedule of control-plane faults with no application fault in it, so any failover or
 * traffic move it causes is a false one: three watcher replicas, some in application regions and
 * some alone in their region, a replicated store over their regions; then partitions between one
 * watcher and one region, crashes of watcher-only regions (the first listed leads at the start,
 * so crashing it changes the leader), and their ends. At any moment at most one watcher is cut
 * from a given region and at most one watcher is down: the loss of any one thing.
 */
export function randomControlPlaneDocument(seed: number, untilSeconds = 900): Record<string, unknown> {
  const rnd = sequence(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const regions = shuffle(APP_POOL, rnd).slice(0, int(2, 3));
  const inApp = int(0, 2);
  const watchers = shuffle(
    [...shuffle(regions, rnd).slice(0, inApp), ...shuffle(WATCHER_POOL, rnd).slice(0, 3 - inApp)],
    rnd,
  );
  const crashable = watchers.filter((w) => !regions.includes(w));
  const events: Record<string, unknown>[] = [];
  // Disjoint slots of partitions, each with an overlapping crash now and then.
  let at = int(30, 120);
  while (at < untilSeconds - 120) {
    const length = int(20, 240);
    const end = Math.min(at + length, untilSeconds);
    if (crashable.length > 0 && rnd() < 0.35) {
      // Crash the first watcher more often: it starts as the leader.
      const region = rnd() < 0.5 && crashable.includes(watchers[0]) ? watchers[0] : pick(crashable);
      events.push({ at, outage: { region } }, { at: end, recover: { region } });
    } else {
      const from = pick(watchers);
      const to = pick(regions.filter((r) => r !== from));
      events.push({ at, partition: { from, to } }, { at: end, heal: { from, to } });
      if (crashable.length > 0 && rnd() < 0.3) {
        const region = pick(
          crashable.filter((c) => c !== from).length > 0 ? crashable.filter((c) => c !== from) : crashable,
        );
        if (region !== from) {
          const crashAt = int(at, end);
          events.push(
            { at: crashAt, outage: { region } },
            { at: Math.min(crashAt + int(20, 200), end), recover: { region } },
          );
        }
      }
    }
    at = end + int(10, 120);
  }
  return {
    name: `random-control-plane-${seed}`,
    regions,
    writer: regions[0],
    healthCheck: { intervalSeconds: 10, failureThreshold: pick([2, 3]) },
    dnsTtlSeconds: pick([30, 60]),
    routing: pick(["failover", "latency", "weighted"]),
    failover: { mode: "auto" },
    versions: { "1.0.0": { errorRate: 0.001 } },
    initialVersion: "1.0.0",
    controlPlane: {
      watchers,
      stateStore: { kind: "dynamodb", regions: watchers },
      ...(rnd() < 0.5 ? { pulumiBackendRegion: pick(watchers) } : {}),
    },
    events,
    until: untilSeconds,
  };
}

/** `randomControlPlaneDocument`, validated as any scenario file is. */
export function randomControlPlaneScenario(seed: number, untilSeconds = 900): Scenario {
  const raw = randomControlPlaneDocument(seed, untilSeconds);
  const parsed = validateScenario(raw, String(raw.name));
  if (!parsed.ok) throw new Error(`random scenario ${seed} is invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.scenario;
}
