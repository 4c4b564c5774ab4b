/**
 * Where commands write. Tests pass buffers; the CLI passes the process streams. Human output and
 * progress go to `err` when `--json` is set, so stdout stays one JSON document.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Set by an action to choose the process exit code. */
  exitCode: number;
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    exitCode: 0,
  };
}

export function bufferIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    exitCode: 0,
  };
}
