import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

/** The first CLI release with `--exclude`, which keeps impaired regions out of stack updates. */
export const MIN_PULUMI_VERSION = "3.165.0";

/**
 * The Automation API's handle on the provided CLI. PulumiCommand runs `<root>/bin/pulumi` and puts
 * that folder first on the PATH of every command, so the engine also finds the language host and
 * the dynamic-provider plugin that scripts/provide-pulumi.sh put beside it.
 */
export async function pinnedPulumiCommand(binDir: string, skipVersionCheck = false): Promise<PulumiCommand> {
  const dir = path.resolve(binDir);
  if (path.basename(dir) !== "bin" || !existsSync(path.join(dir, "pulumi"))) {
    throw new Error(
      `${dir} does not hold the Pulumi CLI as bin/pulumi; pass the directory scripts/provide-pulumi.sh prints`,
    );
  }
  const command = await PulumiCommand.get({ root: path.dirname(dir), skipVersionCheck });
  if (!skipVersionCheck && command.version !== null && command.version.compare(MIN_PULUMI_VERSION) < 0) {
    throw new Error(
      `Pulumi CLI ${command.version.version} in ${dir} is too old: regionctl needs ${MIN_PULUMI_VERSION} or later (--exclude)`,
    );
  }
  return command;
}

/**
 * The bin directory of the pinned CLI: REGIONCTL_PULUMI_BIN_DIR when set, else what
 * scripts/provide-pulumi.sh prints (it finds, copies or builds the CLI; seconds when cached).
 */
export async function providePulumiBinDir(repoRoot: string): Promise<string> {
  const fromEnv = process.env.REGIONCTL_PULUMI_BIN_DIR;
  if (fromEnv !== undefined && fromEnv !== "") {
    return fromEnv;
  }
  const script = path.join(repoRoot, "scripts/provide-pulumi.sh");
  // Its progress (a first build takes minutes) goes straight to our stderr.
  const child = spawn("bash", [script], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  const lines = stdout.trim().split("\n");
  if (code !== 0 || lines[lines.length - 1] === "") {
    throw new Error(`${script} failed (exit ${code ?? "signal"}); its messages are above`);
  }
  return lines[lines.length - 1];
}
