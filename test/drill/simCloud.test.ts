import { describe, expect, it } from "vitest";
import { initialState } from "../../components/operationalState";
import { planTopology } from "../../components/topology";
import { Recorder } from "../../automation/drill/recorder";
import { EndpointCheckers } from "../../automation/drill/route53Checkers";
import { runDrill } from "../../automation/drill/runner";
import { scenarioConfig } from "../../automation/drill/scenarioConfig";
import { SimCloud } from "../../automation/drill/simCloud";
import { SimGlobalDatabase } from "../../automation/drill/simDatabase";
import { SimStackEngine } from "../../automation/drill/simStackEngine";
import { SimStateStore } from "../../automation/drill/simStateStore";
import { DRILL_EPOCH_MS, VirtualClock } from "../../automation/drill/virtualClock";
import { unitScenario } from "./unitScenario";

const scenario = unitScenario;

describe("Route 53 checkers", () => {
  const settings = { seed: 1, checkers: 16, intervalMs: 10_000, failureThreshold: 3, timeoutMs: 6000 };

  it("turn an endpoint unhealthy between 2 and 3 intervals after it goes down", () => {
    const downAt = 100_000;
    const c = new EndpointCheckers("r", settings, 0, (ms) => ({
      reachable: ms < downAt,
      errorRate: 0,
      latencyMs: 40,
    }));
    let detected = -1;
    for (let ms = 0; ms <= 200_000; ms += 100) {
      if (!c.healthyAt(ms)) {
        detected = ms;
        break;
      }
    }
    expect(detected - downAt).toBeGreaterThanOrEqual(2 * settings.intervalMs);
    expect(detected - downAt).toBeLessThanOrEqual(3 * settings.intervalMs);
  });

  it("keep an endpoint healthy while more than 18 % of checkers reach it in time", () => {
    // 5.8 s of server time: only checkers less than 200 ms away answer within 6 s.
    const slow = new EndpointCheckers("r", settings, 0, () => ({
      reachable: true,
      errorRate: 0,
      latencyMs: 5800,
    }));
    const fraction = slow.fractionAt(120_000);
    expect(fraction).toBeGreaterThan(0.18);
    expect(fraction).toBeLessThan(1);
    expect(slow.healthyAt(120_000)).toBe(true);
    const slower = new EndpointCheckers("r", settings, 0, () => ({
      reachable: true,
      errorRate: 0,
      latencyMs: 5990,
    }));
    expect(slower.fractionAt(120_000)).toBeLessThanOrEqual(0.18);
    expect(slower.healthyAt(120_000)).toBe(false);
  });
});

describe("simulated cloud", () => {
  it("moves clients only a TTL after Route 53 stops answering with a dead region", async () => {
    const rto = async (ttl: number): Promise<number> => {
      const s = scenario({
        routing: "latency",
        dnsTtlSeconds: ttl,
        failover: { mode: "manual" },
        events: [{ at: 300, outage: { region: "eu-west-1" } }],
      });
      const { report } = await runDrill(s, { seed: 3 });
      return report.incidents[0].rtoSeconds as number;
    };
    const fast = await rto(0);
    const slow = await rto(60);
    // Detection by the checkers (2-3 intervals), then every cached answer expires.
    expect(fast).toBeGreaterThanOrEqual(20);
    expect(fast).toBeLessThanOrEqual(31);
    expect(slow - fast).toBe(60);
  });

  it("promotes the database in failoverSeconds and loses the target's lag at the fault", async () => {
    const run = async (failoverSeconds: number) =>
      (
        await runDrill(
          scenario({
            database: { failoverSeconds, lagSeconds: 2 },
            events: [{ at: 300, outage: { region: "us-east-1" } }],
          }),
          { seed: 5 },
        )
      ).report;
    const quick = await run(30);
    const slow = await run(150);
    const done = (r: typeof quick): number =>
      r.timeline.find((e) => e.kind === "db-failover-done")?.atSeconds as number;
    const started = (r: typeof quick): number =>
      r.timeline.find((e) => e.kind === "db-failover-started")?.atSeconds as number;
    expect(done(quick) - started(quick)).toBe(30);
    expect(done(slow) - started(slow)).toBe(150);
    // Slow: the promotion is the critical path. Quick: the DNS side is (detection + TTL).
    expect(slow.incidents[0].rtoSeconds as number).toBeGreaterThanOrEqual(20 + 150);
    expect(quick.incidents[0].rtoSeconds as number).toBeLessThanOrEqual(30 + 60 + 1);
    // The lag is drawn around 2 s (0.6x-1.4x) per region and seed.
    expect(quick.incidents[0].rpoSeconds).toBeGreaterThanOrEqual(1.2);
    expect(quick.incidents[0].rpoSeconds).toBeLessThanOrEqual(2.8);
  });

  it("fails a stack update for a region that is down, but not for one left out of it", async () => {
    const { report } = await runDrill(
      scenario({
        events: [
          { at: 100, outage: { region: "eu-west-1" } },
          { at: 110, deploy: { version: "1.0.1", strategy: "rolling" } },
        ],
        versions: { "1.0.0": { errorRate: 0.001 }, "1.0.1": { errorRate: 0.001 } },
      }),
      { seed: 2 },
    );
    const deploy = report.operations.find((o) => o.kind === "deploy");
    // Either the preflight saw eu-west-1 failing, or its update failed: it never reaches 1.0.1.
    expect(deploy?.outcome).not.toBe("succeeded");
    expect(report.regions["eu-west-1"].version).toBe("1.0.0");
  });
});

describe("simulated Aurora: detach and promote", () => {
  it("leaves the old writer writable when its region returns; only the applications fence it", async () => {
    const s = scenario({ database: { managedFailover: false } });
    const built = scenarioConfig(s);
    if (!("config" in built)) throw new Error("bad scenario");
    const clock = new VirtualClock(DRILL_EPOCH_MS);
    const recorder = new Recorder(clock);
    const cloud = new SimCloud(s, built.config, 1, clock, recorder);
    const db = new SimGlobalDatabase(cloud, recorder, s.database, "us-east-1");
    const settle = async <T>(p: Promise<T>): Promise<T> => {
      let done = false;
      void p.then(
        () => (done = true),
        () => (done = true),
      );
      await clock.idle();
      while (!done && (await clock.step(clock.now() + 3_600_000))) {
        // until the call returns
      }
      return p;
    };

    cloud.outage("us-east-1");
    db.writerRegionLost("us-east-1");
    await expect(settle(db.failover("us-west-2", "us-west-2"))).rejects.toThrow(/not available/);
    await settle(db.removeFromGlobal("us-west-2", "us-west-2"));
    expect(db.writersNow()).toEqual(["us-west-2"]);
    // Seen through the detached cluster it is the writer, and says so; through another region the
    // global cluster still names the old writer.
    expect(await settle(db.describe("us-west-2"))).toMatchObject({
      writer: "us-west-2",
      detachedWriter: "us-west-2",
    });
    expect((await settle(db.describe("eu-west-1"))).writer).toBe("us-east-1");

    // Back with every application still configured with it and its region in the records: two writers.
    cloud.recover("us-east-1");
    db.regionRecovered("us-east-1");
    expect(db.writersNow().sort()).toEqual(["us-east-1", "us-west-2"]);

    // Fenced: its region out of traffic, the other regions' apps pointed at the new writer.
    const state = initialState(built.config);
    state.writer = "us-west-2";
    state.regions["us-east-1"] = { ...state.regions["us-east-1"], drained: true, excluded: true };
    cloud.apply(planTopology(built.config, state), ["us-west-2", "eu-west-1"], true);
    expect(db.writersNow()).toEqual(["us-west-2"]);

    // A rebuild re-forms the global cluster around the detached writer; the old writer is rebuilt last.
    expect(db.needsRebuild("eu-west-1")).toBe(true);
    db.rebuild("eu-west-1");
    expect(db.writerRegion()).toBe("us-west-2");
    expect(db.needsRebuild("us-east-1")).toBe(true);
    expect((await settle(db.describe("us-west-2"))).members.map((m) => m.region).sort()).toEqual([
      "eu-west-1",
      "us-west-2",
    ]);
    db.rebuild("us-east-1");
    expect(db.needsRebuild("us-east-1")).toBe(false);
    expect(db.writersNow()).toEqual(["us-west-2"]);
  });
});

describe("simulated Aurora: a detach target that dies mid-promotion", () => {
  it("returns writable until fenced, and the global cluster re-forms around the latest detached writer", async () => {
    const s = scenario({ database: { managedFailover: false } });
    const built = scenarioConfig(s);
    if (!("config" in built)) throw new Error("bad scenario");
    const clock = new VirtualClock(DRILL_EPOCH_MS);
    const recorder = new Recorder(clock);
    const cloud = new SimCloud(s, built.config, 1, clock, recorder);
    const db = new SimGlobalDatabase(cloud, recorder, s.database, "us-east-1");
    const settle = async <T>(p: Promise<T>): Promise<T> => {
      let done = false;
      void p.then(
        () => (done = true),
        () => (done = true),
      );
      await clock.idle();
      while (!done && (await clock.step(clock.now() + 3_600_000))) {
        // until the call returns
      }
      return p;
    };
    const withWriter = (writer: string) => {
      const state = initialState(built.config);
      state.writer = writer;
      return planTopology(built.config, state);
    };

    cloud.outage("us-east-1");
    db.writerRegionLost("us-east-1");
    // The first target: every app pointed at it, then detached; then its region goes down too.
    cloud.apply(withWriter("us-west-2"), ["us-west-2", "eu-west-1"], true);
    await settle(db.removeFromGlobal("us-west-2", "us-west-2"));
    cloud.outage("us-west-2");
    // The next target, detached from the old global cluster.
    await settle(db.removeFromGlobal("eu-west-1", "eu-west-1"));
    expect(db.writersNow()).toEqual(["eu-west-1"]);

    // Back, and some app still configured with it gets requests: two writers.
    cloud.recover("us-west-2");
    db.regionRecovered("us-west-2");
    expect(db.writersNow().sort()).toEqual(["eu-west-1", "us-west-2"]);
    expect((await settle(db.describe("us-west-2"))).detachedWriter).toBe("us-west-2");

    // Fenced (stopped): it takes no writes, and no longer calls itself the writer.
    await expect(settle(db.fenceCluster("eu-west-1", "eu-west-1"))).rejects.toThrow(/is the writer/);
    await settle(db.fenceCluster("us-west-2", "us-west-2"));
    expect(db.writersNow()).toEqual(["eu-west-1"]);
    expect((await settle(db.describe("us-west-2"))).detachedWriter).toBeUndefined();

    // Its rebuild re-forms the global cluster around the latest detached writer, not the first.
    expect(db.needsRebuild("us-west-2")).toBe(true);
    db.rebuild("us-west-2");
    expect(db.writerRegion()).toBe("eu-west-1");
    expect(db.writersNow()).toEqual(["eu-west-1"]);
  });
});

describe("simulated stack: a member dropped outside Pulumi", () => {
  it("is re-created only by an update that refreshes first (pulumi up --refresh)", async () => {
    const s = scenario({});
    const built = scenarioConfig(s);
    if (!("config" in built)) throw new Error("bad scenario");
    const clock = new VirtualClock(DRILL_EPOCH_MS);
    const recorder = new Recorder(clock);
    const cloud = new SimCloud(s, built.config, 1, clock, recorder);
    const db = new SimGlobalDatabase(cloud, recorder, s.database, "us-east-1");
    const store = new SimStateStore(clock);
    store.seed(initialState(built.config));
    const stack = new SimStackEngine(cloud, store, db, { stackUpdateSeconds: 30, stackNoopSeconds: 5 });
    const settle = async <T>(p: Promise<T>): Promise<T> => {
      let done = false;
      void p.then(
        () => (done = true),
        () => (done = true),
      );
      await clock.idle();
      while (!done && (await clock.step(clock.now() + 3_600_000))) {
        // until the update returns
      }
      return p;
    };

    db.replicationBreak("us-west-2");
    await settle(stack.up({ targets: { regions: ["us-west-2"] } }));
    expect(db.needsRebuild("us-west-2")).toBe(true);
    await settle(stack.up({ targets: { regions: ["us-west-2"] }, refresh: true }));
    expect(db.needsRebuild("us-west-2")).toBe(false);
    expect((await settle(db.describe("us-east-1"))).members.map((m) => m.region)).toContain("us-west-2");
  });
});
