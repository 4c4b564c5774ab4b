import type { OperationalState } from "../../components/operationalState";
import type { GlobalClusterView } from "../ports";
import { RULES, operationInFlight, refuse } from "./failoverSafety";
import type { Plan, Refusal } from "./steps";

/**
 * Rotation of the database master password. The writer's cluster gets the new password first and
 * the secret after it, so apps never read a password the database refuses; the secondaries share
 * the writer's credentials through the global database and need no call.
 */

export interface RotationInput {
  readonly state: OperationalState;
  /** The global database as seen through the writer's region; null when it could not be described. */
  readonly database: GlobalClusterView | null;
  /** Plan id, unique per operation (e.g. `rotation-<time>`). */
  readonly id: string;
}

export interface RotationDecision {
  readonly refused: false;
  readonly plan: Plan;
  readonly writer: string;
}

/** How long the writer may take to apply the new password before the step fails. */
export const PASSWORD_APPLY_TIMEOUT_SECONDS = 900;

export const ROTATION_RULES = {
  writerKnown: "writer-known",
} as const;

export function planRotation(input: RotationInput): RotationDecision | Refusal {
  const { state, database } = input;
  const busy = operationInFlight(state);
  if (busy !== null) return refuse(RULES.oneOperation, `operation in flight: ${busy}`);
  const writer = state.writer;
  if (database === null) {
    return refuse(
      ROTATION_RULES.writerKnown,
      `the global database could not be described through ${writer}; the writer must be known before its password changes`,
    );
  }
  if (database.writer !== writer) {
    return refuse(
      ROTATION_RULES.writerKnown,
      database.writer === null
        ? `the global database is moving its writer (${database.status}); rotate once it has settled`
        : `the operational state names ${writer} the writer but the database names ${database.writer}; settle the writer first (\`regionctl status\`, \`regionctl failover\`)`,
    );
  }
  return {
    refused: false,
    writer,
    plan: {
      id: input.id,
      kind: "rotation",
      summary: `rotate the database master password: ${writer}'s cluster (the writer) first, then the database secret`,
      steps: [
        {
          id: "rotation/password",
          kind: "rotatePassword",
          description: `set a new master password on ${writer}'s cluster (ModifyDBCluster, applied immediately), wait until it is available, then write it to the database secret (PutSecretValue); the secret's replicas follow`,
          region: writer,
          timeoutSeconds: PASSWORD_APPLY_TIMEOUT_SECONDS,
        },
      ],
      // The previous password is gone once the writer has the new one; going back would be a
      // second rotation, not a compensation.
      compensation: [],
      regions: [writer],
    },
  };
}
