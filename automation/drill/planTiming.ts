import type { Plan, Step } from "../plans/steps";

/**
 * A serial failover runs its steps one after another. The benchmark's baseline runs the same plans
 * with every `parallel` step unrolled into its branches in order: the same steps, no overlap.
 */
export function sequentialPlan(plan: Plan): Plan {
  const unroll = (steps: readonly Step[]): Step[] =>
    steps.flatMap((s) => (s.kind === "parallel" ? unroll(s.branches.flat()) : [s]));
  return { ...plan, steps: unroll(plan.steps), compensation: unroll(plan.compensation) };
}

/**
 * The waits a plan cannot avoid, in seconds: bake times, fixed waits, and each health gate's spacing
 * between its consecutive observations. Branches of a parallel step overlap, so they count once
 * (the longest). Stack updates and API calls are work, not waits, and are left out.
 */
export function unavoidableWaitSeconds(steps: readonly Step[], checkIntervalSeconds: number): number {
  let total = 0;
  for (const s of steps) {
    switch (s.kind) {
      case "wait":
        total += s.seconds;
        break;
      case "analysis":
        total += s.bakeSeconds;
        break;
      case "healthGate":
        total += Math.max(s.consecutive - 1, 0) * checkIntervalSeconds;
        break;
      case "parallel":
        total += Math.max(0, ...s.branches.map((b) => unavoidableWaitSeconds(b, checkIntervalSeconds)));
        break;
      default:
        break;
    }
  }
  return total;
}
