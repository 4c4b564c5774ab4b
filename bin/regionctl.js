#!/usr/bin/env node
// Runs the TypeScript CLI directly from a clone, so `npx regionctl` needs no build step.
require("tsx/cjs");
require("../automation/cli.ts")
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
