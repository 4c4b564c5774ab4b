import type { DetachedWriterRecord, FenceItem, OperationalState } from "../../components/operationalState";
import type { Step } from "./steps";

/**
 * Detach-and-promote splits the database: the detached cluster takes the writes, and every cluster
 * that was writable before it (the old global writer, an earlier detached target that died
 * mid-promotion) stays writable, unreachable in its region's outage and writable again when the
 * region returns. Nothing in Aurora demotes them. These pure decisions keep the list of such
 * clusters in the operational state and fence each once its region is back, before anything
 * rebuilds or readmits the region.
 */

export interface DetachFacts {
  /** The writer the state named before the detach: the old global cluster's writer. */
  readonly from: string;
  /** The region whose cluster was detached and promoted. */
  readonly to: string;
  /** The cluster identifier of a region (the topology names them `<environment>-<region>`). */
  readonly clusterIdentifier: (region: string) => string;
  readonly at: string;
}

/**
 * The clusters left writable once `to` is detached and promoted: the old writer `from`, and the
 * previously recorded detached writer when it is another region. `to` itself leaves the list.
 */
export function fenceAfterDetach(state: OperationalState, facts: DetachFacts): FenceItem[] {
  const queue = (state.fenceOnReturn ?? []).filter((i) => i.region !== facts.to);
  const add = (region: string, reason: string): void => {
    if (region === facts.to || queue.some((i) => i.region === region)) return;
    queue.push({ region, clusterIdentifier: facts.clusterIdentifier(region), reason, queuedAt: facts.at });
  };
  const earlier = state.detachedWriter ?? null;
  if (earlier !== null) {
    add(earlier.region, `detached and promoted earlier, superseded by ${facts.to}`);
  }
  add(facts.from, `the old global cluster's writer, split from ${facts.to} by a detach`);
  return queue;
}

/** The cluster in `region` that must be fenced before the region is touched, if any. */
export function pendingFence(state: OperationalState, region: string): FenceItem | null {
  if (region === state.writer) return null;
  return (state.fenceOnReturn ?? []).find((i) => i.region === region) ?? null;
}

/**
 * The steps that fence `region`'s cluster, to run first in any plan that brings the region back
 * (its repair): empty when nothing there is writable. The caller runs them only once the region is
 * healthy: its API is not called during its outage.
 */
export function fenceSteps(state: OperationalState, region: string, prefix: string): Step[] {
  const item = pendingFence(state, region);
  if (item === null) return [];
  return [
    {
      id: `${prefix}/fence`,
      kind: "fenceCluster",
      description: `stop ${item.clusterIdentifier} in ${region} before anything can write to it (${item.reason})`,
      region,
      clusterIdentifier: item.clusterIdentifier,
    },
  ];
}

/** The state without `region`'s fence item: its cluster is out of service. */
export function fenceDone(state: OperationalState, region: string): OperationalState {
  const rest = (state.fenceOnReturn ?? []).filter((i) => i.region !== region);
  return { ...state, fenceOnReturn: rest };
}

/**
 * The detached writer's record, from what the database reports through the target's own cluster;
 * null when the report names another region or lacks the cluster's endpoint.
 */
export function detachedWriterRecord(
  view: {
    readonly id: string;
    readonly detachedWriter?: string;
    readonly detachedCluster?: { readonly identifier: string; readonly endpoint: string };
  },
  region: string,
  operationId: string,
  at: string,
): DetachedWriterRecord | null {
  if (view.detachedWriter !== region || view.detachedCluster === undefined) return null;
  return {
    region,
    clusterIdentifier: view.detachedCluster.identifier,
    endpoint: view.detachedCluster.endpoint,
    detachedFrom: view.id,
    operationId,
    recordedAt: at,
  };
}
