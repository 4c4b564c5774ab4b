import type { OperationalState } from "../../components/operationalState";
import type { Refusal } from "./steps";
import { servesVersion } from "./promotionOrder";

/** The safety rules a promotion must pass before it is planned. */
export function promotionRefusal(state: OperationalState, version: string): Refusal | null {
  if (state.operation !== null) {
    const op = state.operation;
    return refuse(
      "one-operation-at-a-time",
      `operation ${op.id} (${op.kind}) is ${op.phase}; finish it with \`regionctl resume\`, \`promote\` or \`abort\` first`,
    );
  }
  const failing = Object.entries(state.regions).filter(
    ([, r]) => r.drained || r.excluded || r.releaseStatus === "rollback_failed",
  );
  if (failing.length > 0) {
    const why = failing
      .map(([name, r]) => {
        const flags = [
          r.drained ? "drained" : null,
          r.excluded ? "excluded" : null,
          r.releaseStatus === "rollback_failed" ? "rollback failed" : null,
        ]
          .filter((f) => f !== null)
          .join(", ");
        return `${name} (${flags}${r.note === null ? "" : `: ${r.note}`})`;
      })
      .join("; ");
    return refuse("no-promotion-while-failing", `regions out of service: ${why}`);
  }
  if (Object.values(state.regions).every((r) => servesVersion(r, version))) {
    return refuse("already-deployed", `every region already serves ${version}`);
  }
  return null;
}

function refuse(rule: string, reason: string): Refusal {
  return { refused: true, rule, reason };
}
