import * as path from "node:path";
import { mkdir } from "node:fs/promises";
import type { VantageReport } from "../../watch/quorum";
import type { VantageBoard } from "../../watch/vantageBoard";
import { readTextIfExists, writeFileAtomic } from "../state/atomicFile";
import { decodeVantage, encodeVantage, voterSlug } from "./vantageDocument";

/**
 * The file store's board: `<stack>.vantage.<voter>.json` beside the state, one per replica,
 * each replaced atomically by its own replica only, so no lock is needed.
 */
export class FileVantageBoard implements VantageBoard {
  constructor(
    private readonly directory: string,
    private readonly stack: string,
    /** The replicas whose reports are read (`controlPlane.watchers`). */
    private readonly voters: readonly string[],
  ) {}

  private file(voter: string): string {
    return path.join(this.directory, `${this.stack}.vantage.${voterSlug(voter)}.json`);
  }

  async publish(voter: string, reports: readonly VantageReport[]): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await writeFileAtomic(this.file(voter), encodeVantage(voter, reports));
  }

  async read(): Promise<readonly VantageReport[]> {
    const all = await Promise.all(
      this.voters.map(async (voter) => {
        const file = this.file(voter);
        const text = await readTextIfExists(file);
        return text === null ? [] : decodeVantage(text, file);
      }),
    );
    return all.flat();
  }
}
