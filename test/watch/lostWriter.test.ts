import { describe, expect, it } from "vitest";
import { decide } from "../../automation/watch/decide";
import { lostWriter } from "../../automation/watch/lostWriter";
import type { TickInputs } from "../../automation/watch/tickInputs";
import { cluster } from "../plans/failoverFixtures";
import { type Answer, DOWN, EUW1, USE1, USW2, auto, inputs, rounds } from "./decideFixtures";

/** The database moved its writer to us-west-2, which then died; the state still names us-east-1. */
const dbOnUsw2 = cluster(USW2, { [USE1]: { lag: 0.3 }, [USW2]: {}, [EUW1]: { lag: 0.5 } });
const usw2Down = rounds(3, USW2, DOWN);
const bothDown: Record<string, Answer>[] = usw2Down.map((r) => ({ ...r, [USE1]: DOWN }));

describe("a writer only a dead region holds, while the state names a live one", () => {
  it.each<{
    name: string;
    history: Record<string, Answer>[];
    over: Partial<TickInputs>;
    lost: string | null;
  }>([
    {
      name: "the database's writer is down, the state's is up: fail over from the dead one",
      history: usw2Down,
      over: { database: dbOnUsw2 },
      lost: USW2,
    },
    {
      name: "the database's writer is up: no loss (a move the state has not caught up with)",
      history: [{}, {}, {}],
      over: { database: dbOnUsw2 },
      lost: null,
    },
    { name: "the database and the state agree", history: usw2Down, over: {}, lost: null },
    {
      name: "the state's writer is down too: the ordinary failover handles it",
      history: bothDown,
      over: { database: dbOnUsw2 },
      lost: null,
    },
    {
      name: "the database was not read this tick",
      history: usw2Down,
      over: { database: "unread" },
      lost: null,
    },
    {
      name: "no region could describe the database",
      history: usw2Down,
      over: { database: null },
      lost: null,
    },
  ])("$name", ({ history, over, lost }) => {
    expect(lostWriter(inputs(auto, history, over))).toBe(lost);
  });

  it("decide starts a failover from the dead region to the live one", () => {
    const out = decide(inputs(auto, usw2Down, { database: dbOnUsw2 }));
    const failover = out.decisions.find((d) => d.kind === "failover");
    expect(failover?.action).toBe("started");
    expect(failover?.summary).toMatch(/from us-west-2 .* to us-east-1/);
    expect(out.notes.join("\n")).toMatch(
      /database's writer is us-west-2, which is down, while the state names us-east-1/,
    );
  });
});
