import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { urnName } from "./regionSelection";

/** What one engine run reported, gathered from its event stream. */

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

const DONE: Readonly<Record<string, string>> = {
  create: "created",
  update: "updated",
  delete: "deleted",
  replace: "replaced",
  "create-replacement": "created replacement",
  "delete-replaced": "deleted replaced",
  read: "read",
  "read-replacement": "read replacement",
  refresh: "refreshed",
  discard: "discarded",
  "discard-replaced": "discarded replaced",
  "remove-pending-replace": "removed pending replace",
  import: "imported",
  "import-replacement": "imported replacement",
};

/** The last part of a type token: `pulumi-nodejs:dynamic/cloudfree:AppSlot` -> `AppSlot`. */
function shortType(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

function describe(meta: StepEventMetadata): string {
  return `${urnName(meta.urn)} (${shortType(meta.type)})`;
}

/**
 * One line per finished resource step, e.g. `updated us-east-1-app-green (AppSlot)`, `would create
 * ...` in a preview, `update failed ...`. Unchanged resources print nothing.
 */
export function progressLine(event: EngineEvent): string | null {
  if (event.resOutputsEvent !== undefined) {
    const { metadata, planning } = event.resOutputsEvent;
    if (metadata.op === "same" || metadata.type === ROOT_STACK_TYPE) {
      return null;
    }
    return planning === true
      ? `would ${metadata.op} ${describe(metadata)}`
      : `${DONE[metadata.op] ?? metadata.op} ${describe(metadata)}`;
  }
  if (event.resOpFailedEvent !== undefined) {
    const { metadata } = event.resOpFailedEvent;
    return `${metadata.op} failed ${describe(metadata)}`;
  }
  return null;
}

export interface RecordedStep {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
}

/** Collects what the adapter reports from a run's events, and forwards progress lines. */
export class RunEvents {
  /** Resources that changed (or would, in a preview), in the order the engine finished them. */
  readonly steps: RecordedStep[] = [];
  /** The engine's error diagnostics, verbatim. */
  readonly errors: string[] = [];
  changes: Record<string, number> | null = null;
  /** The root stack's outputs as the event stream shows them (secret values masked). */
  stackOutputs: Record<string, unknown> | null = null;

  constructor(private readonly onProgress?: (line: string) => void) {}

  readonly handle = (event: EngineEvent): void => {
    // A step's final op is on its outputs (or failure) event: a refresh announces every resource
    // as "refresh" and only says at the end whether it was the same, changed or gone.
    const finished = event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
    if (finished !== undefined && finished.op !== "same" && finished.type !== ROOT_STACK_TYPE) {
      this.steps.push({ op: finished.op, urn: finished.urn, type: finished.type });
    }
    if (event.resOutputsEvent?.metadata.type === ROOT_STACK_TYPE) {
      this.stackOutputs =
        (event.resOutputsEvent.metadata.new?.outputs as Record<string, unknown> | undefined) ?? null;
    }
    if (event.diagnosticEvent?.severity === "error") {
      const message = event.diagnosticEvent.message.trim();
      if (message !== "" && !this.errors.includes(message)) {
        this.errors.push(message);
      }
    }
    if (event.summaryEvent !== undefined) {
      this.changes = { ...event.summaryEvent.resourceChanges } as Record<string, number>;
    }
    const line = progressLine(event);
    if (line !== null) {
      this.onProgress?.(line);
    }
  };
}
