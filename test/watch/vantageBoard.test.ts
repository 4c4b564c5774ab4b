import { describe, expect, it } from "vitest";
import { SimVantageBoard } from "../../automation/drill/simVantageBoard";
import { vantageBoardContract } from "./vantageBoardContract";

vantageBoardContract("SimVantageBoard", () => new SimVantageBoard());

describe("SimVantageBoard", () => {
  it("fails with the store it lives in", async () => {
    let out = false;
    const board = new SimVantageBoard(() => (out ? "a majority of its replicas is out" : null));
    await board.publish("us-east-1", []);
    out = true;
    await expect(board.read()).rejects.toThrow(/did not answer: a majority of its replicas is out/);
    await expect(board.publish("us-east-1", [])).rejects.toThrow(/did not answer/);
  });
});
