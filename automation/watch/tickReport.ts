import type { HealthEvent, RegionHealth } from "../health/tracker";
import type { Decision } from "./decision";

export interface CompletedOperation {
  readonly operationId: string;
  readonly kind: string;
  readonly outcome: string;
  readonly reason: string | null;
  readonly summary: string;
}

export interface RegionReport {
  readonly healthy: boolean;
  readonly heldOutUntil: string | null;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  readonly signals: RegionHealth["signals"];
  readonly detail: string;
  readonly serving: boolean;
}

/**
 * 0: nothing for a person; 1: something failed or was refused (a refused failover, a failed
 * operation or rollback); 3: paused, waiting for a person (a failover to run in manual mode, a
 * paused or interrupted release the failover waits on).
 */
export type TickExitCode = 0 | 1 | 3;

export interface TickReport {
  readonly at: string;
  readonly writer: string;
  readonly mode: "auto" | "manual";
  readonly regions: Readonly<Record<string, RegionReport>>;
  /** getActiveRegions: active and healthy, writer first, then priority. */
  readonly active: readonly string[];
  readonly events: readonly HealthEvent[];
  readonly notes: readonly string[];
  /** The effects are the runner's business; the report carries what was decided. */
  readonly decisions: readonly Omit<Decision, "effect" | "plan">[];
  /** Operations that finished since the previous tick. */
  readonly completed: readonly CompletedOperation[];
  readonly exitCode: TickExitCode;
  /** True when a person must act and the controller waits for them (exit 3). */
  readonly waitingForPerson: boolean;
}
