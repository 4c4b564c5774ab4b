import type { LocalWorkspace, OutputMap, Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import type { RunEvents } from "./engineEvents";

/** What the event stream shows in place of a secret value. */
const MASKED = "[secret]";

/**
 * After every update, Stack.up() asks the CLI for the stack's outputs (twice: masked, then with
 * secrets) and for the last history entry; Stack.refresh() asks for the history entry too. Those
 * three CLI runs cost about a quarter of a small update (bench/engineOverhead.ts), and the update's
 * own event stream already holds the answers. While a command runs with events attached here,
 * those calls are answered from its events; every other call, and any answer the events lack, still
 * goes to the CLI. Secret outputs therefore stay masked in an update's result (outputs() reads them
 * in plaintext), and the summary carries what the engine's summary event says.
 */
export class EventAnswers {
  private current: {
    readonly events: RunEvents;
    readonly kind: "update" | "refresh";
    readonly message: string;
    readonly started: Date;
  } | null = null;

  constructor(workspace: LocalWorkspace, stack: Stack) {
    const outputsFromCli = workspace.stackOutputs.bind(workspace);
    workspace.stackOutputs = async (stackName: string): Promise<OutputMap> => {
      const outputs = this.current?.events.stackOutputs;
      return outputs === null || outputs === undefined ? outputsFromCli(stackName) : outputMap(outputs);
    };
    const infoFromCli = stack.info.bind(stack);
    stack.info = async (showSecrets?: boolean): Promise<UpdateSummary | undefined> => {
      const run = this.current;
      if (run === null || run.events.changes === null) return infoFromCli(showSecrets);
      return {
        kind: run.kind,
        // Not in the events; a file backend's history says 0 as well.
        version: 0,
        startTime: run.started,
        endTime: new Date(),
        message: run.message,
        environment: {},
        config: {},
        // Stack.up and Stack.refresh only ask once their command succeeded.
        result: "succeeded",
        resourceChanges: run.events.changes,
      };
    };
  }

  /** Runs an engine command whose follow-up queries are answered from `events`. */
  async during<T>(
    events: RunEvents,
    kind: "update" | "refresh",
    message: string | undefined,
    command: () => Promise<T>,
  ): Promise<T> {
    const run = { events, kind, message: message ?? "", started: new Date() };
    this.current = run;
    try {
      return await command();
    } finally {
      if (this.current === run) this.current = null;
    }
  }
}

function outputMap(outputs: Readonly<Record<string, unknown>>): OutputMap {
  return Object.fromEntries(
    Object.entries(outputs).map(([k, value]) => [k, { value, secret: value === MASKED }]),
  );
}
