/**
 * Interrupted operations the watcher finishes by itself: its own, and the writer moves, whose
 * half-done state (a drained writer, a promoted database) is worse than finishing them. A release
 * (deploy, rollback) waits for a person's `regionctl resume` or `abort`.
 */
export const AUTO_RESUMED: ReadonlySet<string> = new Set([
  "failover",
  "switchover",
  "failback",
  "traffic",
  "repair",
  "sync",
]);

/**
 * Operations the watcher runs that yield to a failover: a repair, a traffic change or a sync is
 * stopped where it is (its steps are recorded; nothing is rolled back) and superseded, so a failed
 * writer never waits for them. A release runs in a person's process and is preempted through the
 * state document instead (see preempt.ts).
 */
export const YIELDS_TO_FAILOVER: ReadonlySet<string> = new Set(["repair", "traffic", "sync"]);

/** The id prefix of reconciles (see planReconcile). */
export const RECONCILE_PREFIX = "reconcile";
