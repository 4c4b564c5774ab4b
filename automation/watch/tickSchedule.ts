/**
 * When the next observation round starts, for rounds `intervalMs` apart: on the schedule, or at
 * once when the round that just ended overran its slot. Waiting for the slot after would leave a
 * whole interval unobserved, so a dead region's failed samples would come two intervals apart and
 * its verdict late by as much; starting at once keeps them as close as the rounds allow.
 */
export function nextRoundAt(scheduledAt: number, intervalMs: number, now: number): number {
  return Math.max(scheduledAt + intervalMs, now);
}

/** The next slot on the schedule after `now`: a loop that skips the slots a long round overran. */
export function nextSlotAt(scheduledAt: number, intervalMs: number, now: number): number {
  let next = scheduledAt + intervalMs;
  while (next < now) next += intervalMs;
  return next;
}
