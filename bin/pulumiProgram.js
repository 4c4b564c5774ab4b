// The regionctl Pulumi program (Pulumi.yaml's `main`), run as the CLI runs: compiled when current,
// else index.ts through tsx. One TypeScript runtime for both, and an installed package, which has
// no TypeScript compiler, runs its compiled program.
module.exports = require("./compiledOrSources").load("index");
