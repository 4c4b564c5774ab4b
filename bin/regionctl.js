#!/usr/bin/env node
// Runs regionctl. An installed package ships only the compiled CLI (dist/). A clone runs the same
// compiled CLI when `npm run build` left it newer than every source, else the TypeScript sources
// directly through tsx: an edit never runs stale code, it only starts a little slower until the next
// build.
const path = require("node:path");
const fs = require("node:fs");
const nodeModule = require("node:module");

// Node 22 keeps compiled code on disk between runs: a short-lived CLI starts faster from the 2nd run.
nodeModule.enableCompileCache?.();

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  // One line from regionctl instead of the AWS SDK's eight-line notice on every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  process.stderr.write(`regionctl: Node ${process.version} is past its end of life; use Node 22 or later\n`);
}

const root = path.join(__dirname, "..");
const compiled = path.join(root, "dist", "automation", "cli.js");
const stamp = path.join(root, "dist", ".build-stamp");
const SOURCES = ["automation", "components", "state", "policy", "index.ts"];

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

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

function useCompiled() {
  if (!fs.existsSync(path.join(root, "automation", "cli.ts"))) return true;
  if (process.env.REGIONCTL_SOURCES === "1") return false;
  const built = mtime(stamp);
  return built > 0 && SOURCES.every((s) => newestSource(path.join(root, s)) < built);
}

let cli;
if (useCompiled()) {
  cli = require(compiled);
} else {
  require("tsx/cjs");
  cli = require(path.join(root, "automation", "cli.ts"));
}
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
