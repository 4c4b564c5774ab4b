import * as path from "node:path";

/**
 * Loads a module when it is first needed, so a command's start-up pays only for what its flags use.
 * `specifier` is relative to this folder (`automation/commands/`). A clone runs on a CommonJS
 * TypeScript hook that serves `require` but not `import()`, and the compiled package is CommonJS;
 * the test runner serves `import()`.
 */
export async function loadModule<M>(specifier: string, viaImport: () => Promise<M>): Promise<M> {
  const commonJs =
    typeof require === "function" && require.extensions[path.extname(__filename)] !== undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return commonJs ? (require(specifier) as M) : viaImport();
}
