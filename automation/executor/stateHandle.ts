import { type OperationRecord, type OperationalState, parseState } from "../../components/operationalState";
import { StateConflictError, type StateStore } from "../ports";
import { deepFreeze } from "../state/deepFreeze";
import { stateFields } from "../state/fieldCache";
import { privateCopy } from "../state/privateCopy";

const CONFLICT_RETRIES = 3;

/**
 * A private copy of `doc` for a change to modify, sharing only the operation's plan: it is typed
 * `unknown`, so no change can modify it without a cast, and frozen once validated.
 */
function draftOf(doc: OperationalState): OperationalState {
  const op = doc.operation;
  if (op === null) return privateCopy(doc);
  const copy = privateCopy({ ...doc, operation: { ...op, plan: null } });
  return { ...copy, operation: { ...(copy.operation as OperationRecord), plan: op.plan } };
}

/**
 * The state could not be written. Fatal for the run: without a durable record nothing may go on,
 * not even a rollback. The operation stays in flight and `resume` continues it once the store works.
 */
export class StateWriteError extends Error {
  constructor(location: string, cause: unknown) {
    super(
      `could not write the operational state to ${location}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = "StateWriteError";
  }
}

/**
 * The executor's copy of the operational state and the only way it writes it: every change is a
 * conditional write (etag) that is durable before `update` returns. Writes are serialised, so
 * parallel branches cannot lose each other's changes.
 *
 * Each change gets a private copy of the document, and what it returns is validated as parsing it
 * whole would: a field unchanged since the last validated version keeps that version's parsed,
 * frozen value, only the rest is parsed. Every document it holds after a write is frozen
 * throughout, so nothing can change a value it took as already validated.
 */
export class StateHandle {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly fields = stateFields("value");

  constructor(
    private readonly store: StateStore,
    private doc: OperationalState,
    private etag: string | null,
    /** The operation this run owns; a conflicting write is retried only while it is still ours. */
    private readonly operationId: string,
  ) {}

  get current(): OperationalState {
    return this.doc;
  }

  get location(): string {
    return this.store.location;
  }

  /** Applies `change` to the current document and writes it. */
  update(change: (state: OperationalState) => OperationalState): Promise<OperationalState> {
    const next = this.queue.then(() =>
      this.write(change).catch((err: unknown) => {
        throw err instanceof StateWriteError ? err : new StateWriteError(this.store.location, err);
      }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(change: (state: OperationalState) => OperationalState): Promise<OperationalState> {
    for (let attempt = 1; ; attempt++) {
      const draft = change(draftOf(this.doc));
      const doc = this.validated({ ...draft, revision: this.doc.revision + 1 });
      try {
        this.etag = await this.store.write(doc, this.etag);
        this.doc = doc;
        return doc;
      } catch (err) {
        if (!(err instanceof StateConflictError) || attempt >= CONFLICT_RETRIES) throw err;
        // Someone else wrote (a status reader fixing nothing, a watcher's note): re-read and
        // re-apply, but only while the document still records our operation.
        const fresh = await this.store.read();
        if (fresh === null || fresh.state.operation?.id !== this.operationId) throw err;
        this.doc = fresh.state;
        this.etag = fresh.etag;
      }
    }
  }

  /** What `parseState` gives for `raw`, frozen; its error, naming every bad field, when invalid. */
  private validated(raw: OperationalState): OperationalState {
    return (
      (this.fields.copy(raw) as OperationalState | null) ?? deepFreeze(parseState(raw, this.store.location))
    );
  }
}
