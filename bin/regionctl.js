#!/usr/bin/env node
// Runs regionctl: the TypeScript sources in a clone (no build step), the compiled CLI (dist/) in an
// installed package, which ships without the CLI's sources.
const path = require("node:path");
const { existsSync } = require("node:fs");
const nodeModule = require("node:module");

// Node 22 keeps compiled code on disk between runs: a short-lived CLI starts faster from the 2nd run.
nodeModule.enableCompileCache?.();

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  // One line from regionctl instead of the AWS SDK's eight-line notice on every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  process.stderr.write(`regionctl: Node ${process.version} is past its end of life; use Node 22 or later\n`);
}

const sources = path.join(__dirname, "..", "automation", "cli.ts");
let cli;
if (existsSync(sources)) {
  require("tsx/cjs");
  cli = require(sources);
} else {
  cli = require("../dist/automation/cli.js");
}
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
