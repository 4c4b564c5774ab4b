import * as os from "node:os";

/** Who holds the lease: REGIONCTL_HOLDER (e.g. a CI run), else user@host:pid. */
export function holderName(): string {
  const fromEnv = process.env.REGIONCTL_HOLDER;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  let user = process.env.USER ?? "unknown";
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return `${user}@${os.hostname()}:${process.pid}`;
}
