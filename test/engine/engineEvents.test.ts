import { CommandError, ConcurrentUpdateError, type EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import {
  commandStderr,
  engineMessage,
  lockDetail,
  translateEngineError,
} from "../../automation/adapters/pulumi/engineErrors";
import { progressLine, RunEvents } from "../../automation/adapters/pulumi/engineEvents";
import { StackLockedError, StackUpdateError } from "../../automation/ports";

const slotUrn =
  "urn:pulumi:dev::regionctl::regionctl:index:RegionStack$pulumi-nodejs:dynamic/cloudfree:AppSlot::us-east-1-app-green";
const slotType = "pulumi-nodejs:dynamic/cloudfree:AppSlot";
const stackUrn = "urn:pulumi:dev::regionctl::pulumi:pulumi:Stack::regionctl-dev";

function outputs(op: string, urn = slotUrn, type = slotType, extra: object = {}): EngineEvent {
  return {
    sequence: 1,
    timestamp: 0,
    resOutputsEvent: { metadata: { op, urn, type, provider: "", ...extra } },
  } as unknown as EngineEvent;
}

function failedEvent(op: string): EngineEvent {
  return {
    sequence: 2,
    timestamp: 0,
    resOpFailedEvent: { metadata: { op, urn: slotUrn, type: slotType, provider: "" }, status: 0, steps: 1 },
  } as unknown as EngineEvent;
}

function diagnostic(severity: string, message: string): EngineEvent {
  return { sequence: 3, timestamp: 0, diagnosticEvent: { message, color: "never", severity } } as EngineEvent;
}

/** A CommandError as the SDK builds it from a failed CLI run. */
function commandError(kind: typeof CommandError, stderr: string): CommandError {
  const result = { stdout: "", stderr, code: 255, err: undefined };
  const Ctor = kind as unknown as new (r: unknown) => CommandError;
  const err = new Ctor({ ...result, toString: () => `code: 255\n stdout: \n stderr: ${stderr}\n err?: \n` });
  return err;
}

describe("progressLine", () => {
  it("prints one line per finished resource step, named and typed", () => {
    expect(progressLine(outputs("update"))).toBe("updated us-east-1-app-green (AppSlot)");
    expect(progressLine(outputs("create-replacement"))).toBe(
      "created replacement us-east-1-app-green (AppSlot)",
    );
    expect(progressLine(failedEvent("create"))).toBe("create failed us-east-1-app-green (AppSlot)");
  });

  it("says what a preview would do", () => {
    const event = outputs("delete");
    (event.resOutputsEvent as { planning?: boolean }).planning = true;
    expect(progressLine(event)).toBe("would delete us-east-1-app-green (AppSlot)");
  });

  it("stays silent for unchanged resources, the root stack and other events", () => {
    expect(progressLine(outputs("same"))).toBeNull();
    expect(progressLine(outputs("update", stackUrn, "pulumi:pulumi:Stack"))).toBeNull();
    expect(progressLine(diagnostic("error", "boom"))).toBeNull();
  });
});

describe("RunEvents", () => {
  it("collects changed steps, error diagnostics, the summary and the stack outputs", () => {
    const lines: string[] = [];
    const events = new RunEvents((l) => lines.push(l));
    events.handle(outputs("same"));
    events.handle(outputs("update"));
    events.handle(failedEvent("create"));
    events.handle(diagnostic("debug", "RegisterResource RPC prepared"));
    events.handle(diagnostic("error", "us-east-1-app-green: version 6.6.6 never became ready\n"));
    events.handle(diagnostic("error", "us-east-1-app-green: version 6.6.6 never became ready"));
    events.handle(
      outputs("same", stackUrn, "pulumi:pulumi:Stack", { new: { outputs: { writer: "us-east-1" } } }),
    );
    events.handle({
      sequence: 9,
      timestamp: 0,
      summaryEvent: {
        maybeCorrupt: false,
        durationSeconds: 1,
        resourceChanges: { update: 1, same: 3 },
        policyPacks: {},
      },
    } as EngineEvent);

    expect(lines).toEqual([
      "updated us-east-1-app-green (AppSlot)",
      "create failed us-east-1-app-green (AppSlot)",
    ]);
    expect(events.steps).toEqual([
      { op: "update", urn: slotUrn, type: slotType },
      { op: "create", urn: slotUrn, type: slotType },
    ]);
    expect(events.errors).toEqual(["us-east-1-app-green: version 6.6.6 never became ready"]);
    expect(events.changes).toEqual({ update: 1, same: 3 });
    expect(events.stackOutputs).toEqual({ writer: "us-east-1" });
  });
});

describe("engine errors", () => {
  const lockedStderr = [
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
    "  file:///tmp/b/.pulumi/locks/organization/regionctl/dev/1b2c.json: created by ci@runner-7 (pid 4242) at 2025-05-01T10:00:00Z",
  ].join("\n");

  it("reads the CLI's stderr out of a CommandError", () => {
    expect(commandStderr(commandError(CommandError, "error: boom\nmore"))).toBe("error: boom\nmore");
  });

  it("names who holds the lock", () => {
    expect(lockDetail(lockedStderr)).toBe("lock held by ci@runner-7 (pid 4242) at 2025-05-01T10:00:00Z");
    expect(lockDetail("error: something else")).toBe("another update holds the stack lock");
  });

  it("turns a concurrent update into StackLockedError", () => {
    const err = translateEngineError(commandError(ConcurrentUpdateError, lockedStderr), "dev", []);
    expect(err).toBeInstanceOf(StackLockedError);
    expect((err as Error).message).toBe(
      "stack dev is locked by another update: lock held by ci@runner-7 (pid 4242) at 2025-05-01T10:00:00Z",
    );
  });

  it("keeps the engine's message in StackUpdateError, preferring its diagnostics", () => {
    const err = translateEngineError(commandError(CommandError, "error: update failed"), "dev", [
      "slot: bad version",
    ]);
    expect(err).toBeInstanceOf(StackUpdateError);
    expect((err as StackUpdateError).engineMessage).toBe("slot: bad version");
    expect(engineMessage([], "warning: x\nerror: preview failed\nerror: no changes expected", "f")).toBe(
      "error: preview failed\nerror: no changes expected",
    );
    expect(engineMessage([], "", "fallback")).toBe("fallback");
  });

  it("rejects with the abort reason once the caller cancelled", () => {
    const controller = new AbortController();
    const reason = new Error("operator cancelled");
    controller.abort(reason);
    expect(
      translateEngineError(commandError(CommandError, "error: canceled"), "dev", [], controller.signal),
    ).toBe(reason);
  });

  it("leaves errors that are not the engine's alone", () => {
    const err = new TypeError("bug");
    expect(translateEngineError(err, "dev", [])).toBe(err);
  });
});
