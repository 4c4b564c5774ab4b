import { describe, expect, it } from "vitest";
import { nextRoundAt, nextSlotAt } from "../../automation/watch/tickSchedule";

describe("nextRoundAt: rounds one interval apart, none skipped", () => {
  it.each([
    {
      name: "a round that ended inside its slot: the next slot",
      scheduled: 300_000,
      now: 301_500,
      want: 302_000,
    },
    {
      name: "a round that ended exactly on the next slot: that slot",
      scheduled: 300_000,
      now: 302_000,
      want: 302_000,
    },
    // Waiting for the slot after (304 s) would leave 302 to 304 s unobserved.
    { name: "a round that overran its slot: at once", scheduled: 300_000, now: 302_100, want: 302_100 },
    { name: "a round that overran several slots: at once", scheduled: 300_000, now: 309_000, want: 309_000 },
  ])("$name", ({ scheduled, now, want }) => {
    expect(nextRoundAt(scheduled, 2_000, now)).toBe(want);
  });
});

describe("nextSlotAt: the baseline's loop skips the slots a round overran", () => {
  it.each([
    { scheduled: 300_000, now: 301_500, want: 302_000 },
    { scheduled: 300_000, now: 302_100, want: 304_000 },
    { scheduled: 300_000, now: 309_000, want: 310_000 },
  ])("a round ending at $now: next at $want", ({ scheduled, now, want }) => {
    expect(nextSlotAt(scheduled, 2_000, now)).toBe(want);
  });
});
