import type { VantageReport } from "../watch/quorum";
import type { VantageBoard } from "../watch/vantageBoard";

/**
 * The replicas' shared verdicts in the drill, kept beside the simulated state: they answer, and
 * fail, with the state store.
 */
export class SimVantageBoard implements VantageBoard {
  private readonly byVoter = new Map<string, readonly VantageReport[]>();

  constructor(private readonly unavailable: () => string | null = () => null) {}

  private reach(): void {
    const why = this.unavailable();
    if (why !== null) throw new Error(`vantage reports did not answer: ${why}`);
  }

  async publish(voter: string, reports: readonly VantageReport[]): Promise<void> {
    this.reach();
    this.byVoter.set(voter, [...reports]);
  }

  async read(): Promise<readonly VantageReport[]> {
    this.reach();
    return [...this.byVoter.values()].flat();
  }
}
