import { accessSync, constants, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import type { ConfigIssue } from "../../../components/config";

/**
 * Kernel filesystems: files there are interfaces, not storage. Writing a state document under one
 * can block or fail in ways no retry fixes, so such a directory is refused before anything opens.
 */
const PSEUDO_FILESYSTEMS = ["/proc", "/sys", "/dev"];

/**
 * Problems with a file store's directory, each naming `key` (e.g. `stateStore.directory`), found
 * before the store is opened: a directory that does not exist yet is fine when the nearest folder
 * that does is a writable directory, as the store creates the rest.
 */
export function storeDirectoryProblems(directory: string, key: string): ConfigIssue[] {
  const issue = (message: string): ConfigIssue[] => [{ path: key, message }];
  const resolved = path.resolve(directory);
  let existing = resolved;
  for (;;) {
    try {
      statSync(existing);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: some part of the path is a file; the walk up finds it and says so below.
      if (code !== "ENOENT" && code !== "ENOTDIR")
        return issue(`${existing} cannot be used (${code ?? "error"})`);
      const parent = path.dirname(existing);
      if (parent === existing) return issue(`${resolved} has no existing parent folder`);
      existing = parent;
    }
  }
  const real = realpathSync(existing);
  const pseudo = PSEUDO_FILESYSTEMS.find((p) => real === p || real.startsWith(`${p}/`));
  if (pseudo !== undefined) {
    return issue(`${resolved} is under ${pseudo}, a kernel filesystem; choose a folder on disk`);
  }
  if (!statSync(existing).isDirectory()) {
    const what = existing === resolved ? "is a file, not a folder" : `lies under ${existing}, a file`;
    return issue(`${resolved} ${what}; choose a folder`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    return issue(`${existing} is not writable by this user; choose a folder it can write`);
  }
  return [];
}
