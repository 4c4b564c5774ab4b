import type { Plan, Step, StepKind } from "../plans/steps";

const KINDS: readonly StepKind[] = [
  "patchState",
  "stackUpdate",
  "healthGate",
  "safetyGate",
  "analysis",
  "wait",
  "pause",
  "dbFailover",
  "dbSwitchover",
  "awaitWriter",
  "syncRun",
  "trafficControl",
  "rotatePassword",
  "rpoGuard",
  "fenceCluster",
  "parallel",
  "restore",
];

export class PlanRecordError extends Error {
  constructor(operationId: string, problem: string) {
    super(
      `the plan stored with operation ${operationId} is unreadable (${problem}); abort it or fix the state document`,
    );
    this.name = "PlanRecordError";
  }
}

/**
 * The plan stored with an operation. A resumed run executes exactly what was planned, not a fresh
 * plan, so only the shape is checked here: the executor wrote it.
 */
export function planFromRecord(operationId: string, raw: unknown): Plan {
  if (typeof raw !== "object" || raw === null) throw new PlanRecordError(operationId, "not an object");
  const p = raw as Record<string, unknown>;
  for (const key of ["steps", "compensation", "regions"] as const) {
    if (!Array.isArray(p[key])) throw new PlanRecordError(operationId, `${key} is not a list`);
  }
  if (typeof p.id !== "string" || typeof p.kind !== "string") {
    throw new PlanRecordError(operationId, "id or kind missing");
  }
  const check = (steps: unknown[], where: string): void =>
    steps.forEach((s, i) => {
      const step = s as Partial<Step> | null;
      if (step === null || typeof step.id !== "string" || !KINDS.includes(step.kind as StepKind)) {
        throw new PlanRecordError(operationId, `${where}[${i}] is not a step`);
      }
      if (step.kind === "parallel") {
        (step.branches ?? []).forEach((b, j) => check([...b], `${where}[${i}].branches[${j}]`));
      }
    });
  check(p.steps as unknown[], "steps");
  check(p.compensation as unknown[], "compensation");
  return raw as Plan;
}

/** Step records of compensation steps carry this prefix, so their ids never clash with the plan's. */
export const COMPENSATION_PREFIX = "compensation/";
