/**
 * Where commands write. Tests pass buffers; the CLI passes the process streams. Human output and
 * progress go to `err` when `--json` is set, so stdout stays one JSON document.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Set by an action to choose the process exit code. */
  exitCode: number;
  /** Whether a line reached `out`: the CLI prints its own error document only on an empty stdout. */
  readonly wroteOut?: boolean;
  /** A prompt's answer (a TTY only); absent when nobody can answer. */
  ask?(question: string): Promise<string>;
}

export function processIo(): CliIo {
  const io: CliIo & { wroteOut: boolean } = {
    wroteOut: false,
    out: (line) => {
      io.wroteOut = true;
      process.stdout.write(`${line}\n`);
    },
    err: (line) => process.stderr.write(`${line}\n`),
    exitCode: 0,
    ask: process.stdin.isTTY === true && process.stderr.isTTY === true ? askOnTerminal : undefined,
  };
  return io;
}

async function askOnTerminal(question: string): Promise<string> {
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export function bufferIo(answers?: readonly string[]): CliIo & {
  stdout: string[];
  stderr: string[];
  wroteOut: boolean;
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const pending = answers === undefined ? undefined : [...answers];
  return {
    stdout,
    stderr,
    get wroteOut() {
      return stdout.length > 0;
    },
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    exitCode: 0,
    ask:
      pending === undefined
        ? undefined
        : async (question) => {
            stderr.push(question);
            return pending.shift() ?? "";
          },
  };
}

/** The fields every `--json` document starts with, whatever the command and its outcome. */
export interface Envelope {
  readonly command: string;
  readonly outcome: string;
  readonly exitCode: number;
}

/**
 * Writes one `--json` document: the envelope's fields first, then the command's own. `line` writes
 * it on one line, for the commands whose output is JSON Lines (`watch`).
 */
export function writeJson(
  io: CliIo,
  envelope: Envelope,
  fields: Record<string, unknown> = {},
  options: { readonly line?: boolean } = {},
): void {
  // Envelope keys come first in the document, and a field cannot override them.
  const doc = { ...envelope, ...fields, ...envelope };
  io.out(options.line === true ? JSON.stringify(doc) : JSON.stringify(doc, null, 2));
}
