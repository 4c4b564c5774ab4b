import type { IncidentRecord, OperationalState } from "../../components/operationalState";

/**
 * Incidents in the operational state: one per writer move, opened when the move is decided (so a
 * killed run still leaves its record) and closed when the new writer serves.
 *
 * - RPO: the writes an unplanned failover may lose, estimated as the target's replication lag at
 *   the decision; 0 for a planned switchover or failback.
 * - RTO: from the fault (the first failed observation of the writer) until the operation finished
 *   (writer confirmed and traffic moved), plus one DNS TTL for clients' caches to follow. For a
 *   planned move, from its start.
 */

/** Incidents kept in the document; older ones are dropped. */
export const INCIDENT_LIMIT = 50;

export interface IncidentStart {
  readonly kind: IncidentRecord["kind"];
  readonly from: string;
  readonly to: string;
  /** When the fault began (ms), or when a planned move started. */
  readonly startedAt: number;
  readonly faultAt: number | null;
  readonly rpoSeconds: number | null;
}

export function openIncident(state: OperationalState, start: IncidentStart): OperationalState {
  const record: IncidentRecord = {
    kind: start.kind,
    from: start.from,
    to: start.to,
    faultAt: new Date(start.faultAt ?? start.startedAt).toISOString(),
    recoveredAt: null,
    rpoSeconds: start.rpoSeconds,
    rtoSeconds: null,
  };
  return { ...state, incidents: [...state.incidents, record].slice(-INCIDENT_LIMIT) };
}

/** The open incident of this move, newest first. */
export function openIncidentIndex(
  state: OperationalState,
  kind: IncidentRecord["kind"],
  from: string,
  to: string,
): number {
  for (let i = state.incidents.length - 1; i >= 0; i--) {
    const r = state.incidents[i];
    if (r.kind === kind && r.from === from && r.to === to && r.recoveredAt === null) return i;
  }
  return -1;
}

/** Closes the move's incident with its RTO; unchanged when there is none open. */
export function closeIncident(
  state: OperationalState,
  kind: IncidentRecord["kind"],
  from: string,
  to: string,
  recoveredAt: number,
  dnsTtlSeconds: number,
): OperationalState {
  const i = openIncidentIndex(state, kind, from, to);
  if (i < 0) return state;
  const open = state.incidents[i];
  const start = open.faultAt === null ? recoveredAt : Date.parse(open.faultAt);
  const ttl = kind === "failover" ? dnsTtlSeconds : 0;
  const closed: IncidentRecord = {
    ...open,
    recoveredAt: new Date(recoveredAt).toISOString(),
    rtoSeconds: Math.round(((recoveredAt - start) / 1000 + ttl) * 10) / 10,
  };
  const incidents = [...state.incidents];
  incidents[i] = closed;
  return { ...state, incidents };
}

/**
 * The step after which the new writer serves: the database promotion and traffic move of a
 * failover, the final stack update of a planned move. The sync runs after it are off the RTO path.
 */
export function recoveryStepId(kind: IncidentRecord["kind"]): string {
  return kind === "failover" ? "failover/move" : `${kind}/stack`;
}

/** When the finished operation's recovery step completed, if it did. */
export function recoveredAt(
  state: OperationalState,
  operationId: string,
  kind: IncidentRecord["kind"],
): number | null {
  const op = [...state.history].reverse().find((h) => h.id === operationId);
  const step = op?.steps.find((s) => s.id === recoveryStepId(kind));
  return step?.outcome === "ok" && step.finishedAt !== null ? Date.parse(step.finishedAt) : null;
}
