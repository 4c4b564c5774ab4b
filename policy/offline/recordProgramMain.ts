import { readFileSync, writeFileSync } from "node:fs";
import { type RecordRequest, recordProgram } from "./recordProgram";

// Child-process entry of recordInChild: `node --require tsx/cjs recordProgramMain.ts REQUEST RESULT`.
// A fresh process per run, because the Pulumi runtime and the program's modules are process-global.
const [requestFile, resultFile] = process.argv.slice(2);
const request = JSON.parse(readFileSync(requestFile, "utf8")) as RecordRequest;
process.chdir(request.programDir);
recordProgram(request).then(
  (graph) => {
    writeFileSync(resultFile, JSON.stringify({ ok: true, graph }));
    process.exit(0);
  },
  (err: unknown) => {
    writeFileSync(
      resultFile,
      JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
    process.exit(1);
  },
);
