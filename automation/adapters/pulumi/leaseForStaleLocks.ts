import type { StateStore } from "../../ports";
import { leaseHolderDead } from "../state/leaseDocument";
import type { StaleLockLease } from "./pulumiStackEngine";

/**
 * The environment's lease as the stack-lock judgement needs it: the holder of a live lease other
 * than `self`, this run (which takes the lease before it updates the stack). A lease that cannot
 * be read counts as held, so an unreachable store never lets a lock be broken.
 */
export function leaseForStaleLocks(
  store: StateStore,
  options: { readonly leaseTtlMs: number; readonly self: string; readonly now: () => number },
): StaleLockLease {
  return {
    leaseTtlMs: options.leaseTtlMs,
    async otherLeaseHolder() {
      let lease;
      try {
        lease = await store.readLease();
      } catch (err) {
        return `an unknown holder (the lease in ${store.location} could not be read: ${(err as Error).message})`;
      }
      if (lease === null || lease.expiresAt <= options.now() || leaseHolderDead(lease.holder)) return null;
      return lease.holder === options.self ? null : lease.holder;
    },
  };
}
