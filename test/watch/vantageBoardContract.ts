import { describe, expect, it } from "vitest";
import type { VantageReport } from "../../automation/watch/quorum";
import type { VantageBoard } from "../../automation/watch/vantageBoard";

const report = (voter: string, region: string, at: number, down: boolean): VantageReport => ({
  voter,
  region,
  at,
  down,
});

/** The replicas the contract publishes as: a board that reads only listed voters must list these. */
export const CONTRACT_VOTERS = ["us-east-1", "us-west-2"] as const;

/** What every VantageBoard does, run against each implementation; `open` gives a fresh, empty board. */
export function vantageBoardContract(name: string, open: () => VantageBoard): void {
  describe(`${name}: VantageBoard contract`, () => {
    it("starts empty", async () => {
      expect(await open().read()).toEqual([]);
    });

    it("returns every replica's reports", async () => {
      const board = open();
      await board.publish("us-east-1", [report("us-east-1", "eu-west-1", 1, false)]);
      await board.publish("us-west-2", [report("us-west-2", "eu-west-1", 2, true)]);
      const all = await board.read();
      expect(all).toHaveLength(2);
      expect(all).toEqual(
        expect.arrayContaining([
          report("us-east-1", "eu-west-1", 1, false),
          report("us-west-2", "eu-west-1", 2, true),
        ]),
      );
    });

    it("a replica's publish replaces its earlier reports, and no one else's", async () => {
      const board = open();
      await board.publish("us-east-1", [
        report("us-east-1", "eu-west-1", 1, false),
        report("us-east-1", "us-west-2", 1, false),
      ]);
      await board.publish("us-west-2", [report("us-west-2", "eu-west-1", 1, false)]);
      await board.publish("us-east-1", [report("us-east-1", "eu-west-1", 2, true)]);
      const mine = (await board.read()).filter((r) => r.voter === "us-east-1");
      expect(mine).toEqual([report("us-east-1", "eu-west-1", 2, true)]);
      expect((await board.read()).filter((r) => r.voter === "us-west-2")).toHaveLength(1);
    });

    it("what a reader holds does not change with later publishes", async () => {
      const board = open();
      const published = [report("us-east-1", "eu-west-1", 1, false)];
      await board.publish("us-east-1", published);
      const held = await board.read();
      await board.publish("us-east-1", [report("us-east-1", "eu-west-1", 2, true)]);
      published.push(report("us-east-1", "us-west-2", 1, true));
      expect(held).toEqual([report("us-east-1", "eu-west-1", 1, false)]);
      expect(await board.read()).toEqual([report("us-east-1", "eu-west-1", 2, true)]);
    });
  });
}
