import type { OperationRecord } from "../../components/operationalState";

/** The run was stopped from outside (signal, Ctrl-C); the operation stays in flight for `resume`. */
export class OperationInterruptedError extends Error {
  constructor(
    readonly operationId: string,
    cause?: unknown,
  ) {
    super(
      `operation ${operationId} was interrupted; it is still in flight: \`regionctl resume\` continues it, \`regionctl abort\` rolls it back`,
      { cause },
    );
    this.name = "OperationInterruptedError";
  }
}

/** A command needs an operation in a phase it is not in (nothing to promote, nothing to resume). */
export class OperationStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperationStateError";
  }
}

export function describeOperation(op: OperationRecord): string {
  return `${op.id} (${op.kind}, ${op.phase})`;
}
