// How regionctl's TypeScript runs, for the CLI and the Pulumi program alike: the compiled dist/ when
// `npm run build` left it newer than every source, else the sources through tsx. An installed
// package ships no CLI sources and always runs dist/. An edit in a clone never runs stale code; it
// only starts a little slower until the next build.
const path = require("node:path");
const fs = require("node:fs");
const nodeModule = require("node:module");

const ROOT = path.join(__dirname, "..");
const SOURCES = ["automation", "components", "state", "policy", "index.ts"];

/**
 * The newest change under the sources; folders count too, so a deleted file makes dist stale. Every
 * start in a clone pays for this walk: the folder listing's entry types spare a stat per folder.
 */
function newestSource(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry, { withFileTypes: true })) {
    const file = `${entry}${path.sep}${child.name}`;
    newest = Math.max(newest, child.isDirectory() ? newestSource(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** True when dist/ is what runs; `REGIONCTL_SOURCES=1` makes a clone run its sources. */
function useCompiled(root = ROOT) {
  if (!fs.existsSync(path.join(root, "automation", "cli.ts"))) return true;
  if (process.env.REGIONCTL_SOURCES === "1") return false;
  const built = fs.statSync(path.join(root, "dist", ".build-stamp"), { throwIfNoEntry: false })?.mtimeMs;
  return built !== undefined && SOURCES.every((s) => newestSource(path.join(root, s)) < built);
}

/** Loads one entry point (`automation/cli`, `index`) the way this checkout runs. */
function load(entry) {
  // Node 22 keeps compiled code on disk between runs: a short-lived process starts faster from the
  // 2nd run.
  nodeModule.enableCompileCache?.();
  if (useCompiled()) return require(path.join(ROOT, "dist", `${entry}.js`));
  require("tsx/cjs");
  return require(path.join(ROOT, `${entry}.ts`));
}

module.exports = { load, useCompiled };
