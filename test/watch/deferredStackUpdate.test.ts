import { describe, expect, it } from "vitest";
import { parseConfig } from "../../components/config";
import { initialState } from "../../components/operationalState";
import { sampleRawConfig } from "../support/sampleConfig";
import { watchRig } from "./watchHarness";

const raw = sampleRawConfig({ regions: 3, dnsControl: "arc" });
const arc = parseConfig({ ...raw, failover: { mode: "auto" } });
const USE1 = "us-east-1";

describe("watcher: a failover's stack update deferred while the Pulumi backend is down (dns.control: arc)", () => {
  it("the failover succeeds on data planes alone; the update waits in the state and lands once the backend is back", async () => {
    const rig = watchRig(arc, {}, initialState(arc));
    let backendDown = true;
    rig.mem.stack.failUp = () => (backendDown ? new Error("the Pulumi backend is unreachable") : undefined);
    rig.up[USE1] = false;
    await rig.until((r) => r.decisions.some((d) => d.kind === "failover" && d.action === "started"));
    const [failover] = await rig.watcher.settled();

    // The outcome stands: writer and traffic moved, the incident closed, the update queued.
    expect(failover.outcome).toBe("succeeded");
    const target = rig.mem.database.writer as string;
    expect(rig.stored().writer).toBe(target);
    expect(rig.mem.traffic.isOn(USE1)).toBe(false);
    expect(rig.mem.traffic.isOn(target)).toBe(true);
    expect(rig.stored().incidents.at(-1)?.recoveredAt).not.toBeNull();
    expect(rig.stored().deferredStackUpdate).toMatchObject({
      operationId: failover.operationId,
      attempts: 1,
    });

    // Retried with backoff, each failure deferring it again with a longer wait.
    const pending = await rig.until((r) =>
      r.decisions.some((d) => d.kind === "reconcile" && d.action === "started"),
    );
    expect(
      pending.flatMap((r) => r.decisions).some((d) => /is pending \(1 attempt\(s\) failed/.test(d.summary)),
    ).toBe(true);
    const [retry] = await rig.watcher.settled();
    expect(retry.outcome).toBe("succeeded");
    const second = rig.stored().deferredStackUpdate;
    expect(second?.attempts).toBe(2);
    const firstWait = 30_000;
    expect(Date.parse(second?.nextAttemptAt ?? "") - rig.mem.clock.now()).toBeGreaterThan(firstWait);

    backendDown = false;
    await rig.until((r) => r.decisions.some((d) => d.kind === "reconcile" && d.action === "started"));
    const [landed] = await rig.watcher.settled();
    expect(landed.outcome).toBe("succeeded");
    expect(rig.stored().deferredStackUpdate ?? null).toBeNull();
    expect(rig.mem.stack.deployed[target].dns.failoverRole).toBe("PRIMARY");
    const later = await rig.ticks(3);
    expect(later.flatMap((r) => r.decisions).some((d) => d.kind === "reconcile")).toBe(false);
  });
});

describe("watcher: a move that failed outright (no deferred update) is still finished by a reconcile", () => {
  it("renders the state's writer after a failover recorded as failed", async () => {
    const hc = parseConfig({ ...sampleRawConfig({ regions: 3 }), failover: { mode: "auto" } });
    const base = initialState(hc);
    const at = new Date(Date.UTC(2025, 0, 1)).toISOString();
    const state = {
      ...base,
      writer: "us-west-2",
      regions: {
        ...base.regions,
        [USE1]: { ...base.regions[USE1], drained: true, excluded: true, note: "failed: writer moved" },
      },
      history: [
        {
          id: "failover-1",
          kind: "failover" as const,
          before: base.regions,
          writerBefore: USE1,
          phase: "failed" as const,
          cursor: 1,
          steps: [],
          startedAt: at,
          finishedAt: at,
          reason: "step failover/move failed: branch 2 step failover/traffic: Throttling",
        },
      ],
    };
    const rig = watchRig(hc, {}, state);
    rig.up[USE1] = false;
    const reports = await rig.until((r) =>
      r.decisions.some((d) => d.kind === "reconcile" && d.action === "started"),
    );
    expect(reports.at(-1)?.decisions.find((d) => d.kind === "reconcile")?.summary).toMatch(
      /finish failover failover-1: render the writer us-west-2/,
    );
    const [done] = await rig.watcher.settled();
    expect(done.outcome).toBe("succeeded");
  });
});
