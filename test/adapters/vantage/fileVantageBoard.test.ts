import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileVantageBoard } from "../../../automation/adapters/vantage/fileVantageBoard";
import { CONTRACT_VOTERS, vantageBoardContract } from "../../watch/vantageBoardContract";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "regionctl-board-"));
  dirs.push(dir);
  return dir;
}

vantageBoardContract("FileVantageBoard", () => new FileVantageBoard(freshDir(), "dev", CONTRACT_VOTERS));

describe("FileVantageBoard", () => {
  it("keeps one file per replica beside the state, and reads only the listed replicas", async () => {
    const dir = freshDir();
    const board = new FileVantageBoard(dir, "dev", ["us-east-1"]);
    await board.publish("us-east-1", [{ voter: "us-east-1", region: "eu-west-1", at: 1, down: true }]);
    await board.publish("sa-east-1", [{ voter: "sa-east-1", region: "eu-west-1", at: 1, down: true }]);
    expect(readdirSync(dir).sort()).toEqual(["dev.vantage.sa-east-1.json", "dev.vantage.us-east-1.json"]);
    expect((await board.read()).map((r) => r.voter)).toEqual(["us-east-1"]);
  });

  it("names the file of a document that is not one", async () => {
    const dir = freshDir();
    writeFileSync(
      path.join(dir, "dev.vantage.us-east-1.json"),
      '{"voter":"us-east-1","reports":[{"at":"x"}]}',
    );
    await expect(new FileVantageBoard(dir, "dev", ["us-east-1"]).read()).rejects.toThrow(
      /dev\.vantage\.us-east-1\.json are malformed/,
    );
  });
});
