import { type OperationalState, StateSchemaError } from "../../../components/operationalState";
import { UsageError } from "../../errors";
import type { Lease, StateStore, StoredState } from "../../ports";

/**
 * A state document belongs to one environment and one stack, and speaks only of the config's
 * regions. A document that does not (copied from another environment, written for a config that
 * since lost a region) is refused before anything is written, rather than silently rewritten.
 */

export interface StateIdentity {
  readonly environment: string;
  readonly stack: string;
  /** The config's regions. */
  readonly regions: readonly string[];
  /** The config file, named in the fix. */
  readonly configFile: string;
}

/** Problems with a document's identity, each naming the field and the fix. */
export function identityProblems(state: OperationalState, id: StateIdentity): string[] {
  const problems: string[] = [];
  if (state.environment !== id.environment) {
    problems.push(
      `environment: the document belongs to environment ${state.environment}, not ${id.environment} (${id.configFile}); point stateStore at ${id.environment}'s own state`,
    );
  }
  if (state.stack !== undefined && state.stack !== id.stack) {
    problems.push(
      `stack: the document belongs to stack ${state.stack}, not ${id.stack}; use --stack ${state.stack}, or point stateStore at ${id.stack}'s own state`,
    );
  }
  const unknown = Object.keys(state.regions).filter((r) => !id.regions.includes(r));
  for (const region of unknown) {
    problems.push(
      `regions.${region}: not a region of ${id.configFile} (${id.regions.join(", ")}); add it back to the config, or move its traffic away and remove it from the state`,
    );
  }
  if (!id.regions.includes(state.writer) && !unknown.includes(state.writer)) {
    problems.push(
      `writer: ${state.writer} is not a region of ${id.configFile}; add it back to the config, or fail over first`,
    );
  }
  return problems;
}

/**
 * The store as commands use it: a document that cannot be parsed, and every read checks the document's identity (UsageError, exit 2,
 * naming the file), a lease is only taken on a document that passes, and every write stamps the
 * stack's name into the document.
 */
export function withStateIdentity(store: StateStore, id: StateIdentity): StateStore {
  const read: StateStore["read"] = async () => {
    let stored: StoredState | null;
    try {
      stored = await store.read();
    } catch (err) {
      if (!(err instanceof StateSchemaError)) throw err;
      throw new UsageError(`the operational state in ${err.source} cannot be used; nothing was changed:`, [
        ...err.issues,
      ]);
    }
    if (stored !== null) {
      const problems = identityProblems(stored.state, id);
      if (problems.length > 0) {
        throw new UsageError(
          `the operational state in ${store.location} is not this environment's; nothing was changed:`,
          problems,
        );
      }
    }
    return stored;
  };
  const writeFenced = store.writeFenced?.bind(store);
  return {
    location: store.location,
    read,
    write: (state, expectedEtag) => store.write({ ...state, stack: id.stack }, expectedEtag),
    // A store that fences in the request keeps doing so behind the identity check.
    ...(writeFenced === undefined
      ? {}
      : {
          writeFenced: (state: OperationalState, expectedEtag: string | null, term: Lease) =>
            writeFenced({ ...state, stack: id.stack }, expectedEtag, term),
        }),
    acquireLease: async (holder, operation, ttlMs) => {
      await read();
      return store.acquireLease(holder, operation, ttlMs);
    },
    renewLease: (lease, ttlMs) => store.renewLease(lease, ttlMs),
    releaseLease: (lease) => store.releaseLease(lease),
    readLease: () => store.readLease(),
  };
}
