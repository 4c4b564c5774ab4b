import { describe, expect, it } from "vitest";
import type { OperationalState } from "../../components/operationalState";
import {
  detachedWriterRecord,
  fenceAfterDetach,
  fenceDone,
  fenceSteps,
  pendingFence,
} from "../../automation/plans/fence";
import { planRepair } from "../../automation/plans/replication";
import { isRefusal } from "../../automation/plans/steps";
import { R, drConfig, drState } from "./failoverFixtures";

const config = drConfig(3);
const AT = "2025-01-01T00:05:00.000Z";
const id = (region: string): string => `dev-${region}`;

function withDetached(state: OperationalState, region: string): OperationalState {
  return {
    ...state,
    detachedWriter: {
      region,
      clusterIdentifier: id(region),
      endpoint: `${id(region)}.cluster-x.${region}.rds.amazonaws.com`,
      detachedFrom: "dev-global",
      operationId: "failover-1",
      recordedAt: AT,
    },
  };
}

describe("fence: which clusters a detach leaves writable", () => {
  const cases: {
    name: string;
    state: OperationalState;
    from: string;
    to: string;
    expected: string[];
  }[] = [
    {
      name: "the first detach leaves the old global writer",
      state: drState(config),
      from: R.use1,
      to: R.usw2,
      expected: [R.use1],
    },
    {
      name: "a second detach also leaves the earlier detached target (it died mid-promotion)",
      state: withDetached({ ...drState(config), writer: R.usw2 }, R.usw2),
      from: R.usw2,
      to: R.euw1,
      expected: [R.usw2],
    },
    {
      name: "a second detach keeps the old global writer queued and adds the earlier target once",
      state: {
        ...withDetached({ ...drState(config), writer: R.usw2 }, R.usw2),
        fenceOnReturn: [{ region: R.use1, clusterIdentifier: id(R.use1), reason: "old", queuedAt: AT }],
      },
      from: R.usw2,
      to: R.euw1,
      expected: [R.use1, R.usw2],
    },
    {
      name: "the detached target itself never waits for a fence",
      state: {
        ...drState(config),
        fenceOnReturn: [{ region: R.usw2, clusterIdentifier: id(R.usw2), reason: "old", queuedAt: AT }],
      },
      from: R.use1,
      to: R.usw2,
      expected: [R.use1],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = fenceAfterDetach(c.state, { from: c.from, to: c.to, clusterIdentifier: id, at: AT });
      expect(out.map((i) => i.region)).toEqual(c.expected);
      for (const i of out) expect(i.clusterIdentifier).toBe(id(i.region));
    });
  }
});

describe("fence: a returning region's repair stops its cluster first", () => {
  const queued: OperationalState = {
    ...drState(config),
    writer: R.usw2,
    regions: {
      ...drState(config).regions,
      [R.use1]: { ...drState(config).regions[R.use1], drained: true, excluded: true },
    },
    fenceOnReturn: [{ region: R.use1, clusterIdentifier: id(R.use1), reason: "old writer", queuedAt: AT }],
  };
  const item = {
    region: R.use1,
    reason: "rebuild",
    attempts: 0,
    nextAttemptAt: AT,
    lastError: null,
    queuedAt: AT,
  };

  it("puts the fence before the readmit and the rebuild", () => {
    const plan = planRepair(config, queued, item, "repair-1");
    if (isRefusal(plan)) throw new Error(plan.reason);
    expect(plan.steps.map((s) => s.id)).toEqual(["repair/fence", "repair/readmit", "repair/stack"]);
    expect(plan.steps[0]).toMatchObject({
      kind: "fenceCluster",
      region: R.use1,
      clusterIdentifier: id(R.use1),
    });
  });

  it("plans no fence for a region with nothing writable, nor for the writer", () => {
    expect(fenceSteps(queued, R.euw1, "repair")).toEqual([]);
    expect(pendingFence({ ...queued, writer: R.use1 }, R.use1)).toBeNull();
    expect(fenceSteps(fenceDone(queued, R.use1), R.use1, "repair")).toEqual([]);
    // A document written before the list existed has nothing to fence.
    const { fenceOnReturn: _, ...old } = queued;
    expect(fenceSteps(old, R.use1, "repair")).toEqual([]);
  });
});

describe("fence: the detached writer's record", () => {
  const view = {
    id: "dev-global",
    detachedWriter: R.usw2,
    detachedCluster: {
      identifier: id(R.usw2),
      endpoint: "dev-us-west-2.cluster-x.us-west-2.rds.amazonaws.com",
    },
  };

  it("names the cluster, its region and its own endpoint", () => {
    expect(detachedWriterRecord(view, R.usw2, "failover-1", AT)).toEqual({
      region: R.usw2,
      clusterIdentifier: id(R.usw2),
      endpoint: "dev-us-west-2.cluster-x.us-west-2.rds.amazonaws.com",
      detachedFrom: "dev-global",
      operationId: "failover-1",
      recordedAt: AT,
    });
  });

  it("records nothing for another region, or without the endpoint", () => {
    expect(detachedWriterRecord(view, R.euw1, "failover-1", AT)).toBeNull();
    expect(detachedWriterRecord({ id: "dev-global", detachedWriter: R.usw2 }, R.usw2, "f", AT)).toBeNull();
  });
});
