import { writerVerdict } from "./agreement";
import type { TickInputs } from "./tickInputs";

/**
 * The region to fail over from when the database's writer is down while the state names another,
 * live, region; null otherwise. A promotion whose target died just after the database moved its
 * writer there ends with the state naming the old writer, which is up again (it flapped, or came
 * back), while the database names the dead target: the service has no writer, yet the state's
 * writer looks healthy and nothing would fail over. The database, read from a healthy region, is the
 * truth about where the writes go; a writer only a dead region holds is failed over from.
 */
export function lostWriter(inputs: TickInputs): string | null {
  const db = inputs.database;
  if (db === "unread" || db === null) return null;
  const named = db.detachedWriter ?? db.writer;
  const threshold = inputs.config.failover.failureThreshold;
  if (named === null || named === inputs.state.writer || inputs.state.regions[named] === undefined)
    return null;
  if (writerVerdict(inputs.memory.tracker[inputs.state.writer], threshold).status === "down") return null;
  return writerVerdict(inputs.memory.tracker[named], threshold).status === "down" ? named : null;
}
