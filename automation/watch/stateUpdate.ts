import type { EnvironmentConfig } from "../../components/config";
import { type OperationalState, parseState, reconcileState } from "../../components/operationalState";
import { type Ports, StateConflictError } from "../ports";

/** A short lease: the controller's own bookkeeping writes take milliseconds. */
export const BOOKKEEPING_LEASE_MS = 30_000;
const CONFLICT_RETRIES = 3;

/**
 * Read-modify-write of the operational state outside an operation (queue entries, incidents,
 * sync retry times), under the environment's lease so it never races an operation's own writes.
 * `change` returns null to write nothing. Throws LeaseHeldError while an operation runs.
 */
export async function updateStateUnderLease(
  ports: Pick<Ports, "state">,
  config: EnvironmentConfig,
  holder: string,
  purpose: string,
  change: (state: OperationalState) => OperationalState | null,
): Promise<OperationalState> {
  const store = ports.state;
  const lease = await store.acquireLease(holder, purpose, BOOKKEEPING_LEASE_MS);
  try {
    for (let attempt = 1; ; attempt++) {
      const stored = await store.read();
      const current = reconcileState(config, stored?.state ?? null);
      const next = change(current);
      if (next === null) return current;
      const doc = parseState({ ...next, revision: current.revision + 1 }, store.location);
      try {
        await store.write(doc, stored?.etag ?? null);
        return doc;
      } catch (err) {
        if (!(err instanceof StateConflictError) || attempt >= CONFLICT_RETRIES) throw err;
      }
    }
  } finally {
    await store.releaseLease(lease).catch(() => undefined);
  }
}
