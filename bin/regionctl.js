#!/usr/bin/env node
// Runs regionctl: the compiled CLI, or its TypeScript sources in a clone edited since the last
// build (bin/compiledOrSources.js).
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  // One line from regionctl instead of the AWS SDK's eight-line notice on every command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  process.stderr.write(`regionctl: Node ${process.version} is past its end of life; use Node 22 or later\n`);
}

if (major >= 22) {
  // A command runs for well under a second to a few seconds. V8's optimising tier compiles hot code
  // on helper threads, CPU that a run this short does not earn back: one drill spent about a third
  // of its CPU there. Optimising only code called ten times as often as V8's default keeps a
  // day-long drill as fast and makes a short one much cheaper.
  require("node:v8").setFlagsFromString("--invocation-count-for-turbofan=30000");
}

const cli = require("./compiledOrSources").load("automation/cli");
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
