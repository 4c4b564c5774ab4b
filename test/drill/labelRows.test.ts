import { describe, expect, it } from "vitest";
import { labelWidth, packRows, rowCount } from "../../automation/drill/labelRows";

describe("packRows", () => {
  it.each([
    { name: "nothing", spans: [], rows: [] },
    {
      name: "apart spans share a row",
      spans: [
        { from: 0, to: 10 },
        { from: 20, to: 30 },
      ],
      rows: [0, 0],
    },
    {
      name: "overlapping spans stack",
      spans: [
        { from: 0, to: 10 },
        { from: 5, to: 30 },
      ],
      rows: [0, 1],
    },
    {
      name: "touching within the gap stack",
      spans: [
        { from: 0, to: 10 },
        { from: 12, to: 20 },
      ],
      rows: [0, 1],
    },
    {
      name: "a freed row is reused, input order kept",
      spans: [
        { from: 40, to: 50 },
        { from: 0, to: 30 },
        { from: 5, to: 20 },
      ],
      rows: [0, 0, 1],
    },
    {
      name: "same start: input order decides",
      spans: [
        { from: 0, to: 5 },
        { from: 0, to: 5 },
        { from: 0, to: 5 },
      ],
      rows: [0, 1, 2],
    },
  ])("$name", ({ spans, rows }) => {
    expect(packRows(spans)).toEqual(rows);
    expect(rowCount(packRows(spans))).toBe(rows.length === 0 ? 0 : Math.max(...rows) + 1);
  });

  it("never puts two overlapping spans in one row", () => {
    const spans = Array.from({ length: 200 }, (_, i) => ({
      from: (i * 37) % 500,
      to: ((i * 37) % 500) + 10 + (i % 60),
    }));
    const rows = packRows(spans, 4);
    for (let a = 0; a < spans.length; a++)
      for (let b = a + 1; b < spans.length; b++)
        if (rows[a] === rows[b])
          expect(spans[a].to + 4 <= spans[b].from || spans[b].to + 4 <= spans[a].from).toBe(true);
  });

  it("estimates wider labels for longer text", () => {
    expect(labelWidth("failover succeeded", 10)).toBeGreaterThan(labelWidth("outage", 10));
  });
});
