#!/usr/bin/env node
// Runs regionctl: the compiled CLI, or its TypeScript sources in a clone edited since the last
// build (bin/compiledOrSources.js).
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  // One line from regionctl instead of the AWS SDK's eight-line notice on every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  process.stderr.write(`regionctl: Node ${process.version} is past its end of life; use Node 22 or later\n`);
}

const cli = require("./compiledOrSources").load("automation/cli");
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
