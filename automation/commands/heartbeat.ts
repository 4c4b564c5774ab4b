import { writeFile } from "node:fs/promises";

/**
 * `regionctl watch --heartbeat-file PATH`: the time of the last observation, rewritten after each
 * one, whatever its outcome. A liveness probe restarts a watcher whose loop is stuck by the file's
 * age; operations run beside the loop, so a long one never stops the heartbeat. A file that cannot
 * be written is reported, not fatal: the watcher keeps watching, and the probe acts on the age.
 */
export async function writeHeartbeat(
  file: string | undefined,
  nowMs: number,
  report: (line: string) => void,
): Promise<void> {
  if (file === undefined) return;
  try {
    await writeFile(file, `${new Date(nowMs).toISOString()}\n`);
  } catch (err) {
    report(
      `watch: the heartbeat file ${file} was not written: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
