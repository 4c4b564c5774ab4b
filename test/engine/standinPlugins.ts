import { readFileSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import * as path from "node:path";

const repo = path.resolve(__dirname, "../..");

/**
 * Installs the stand-in provider plugin (tools/pulumi-resource-standin) into a PULUMI_HOME's plugin
 * cache as the aws, kubernetes and random plugins, at the versions the installed SDK packages ask
 * for: the engine then finds them where `pulumi plugin install` would put them, and never tries to
 * download one.
 */

export const STANDIN_PACKAGES = ["aws", "kubernetes", "random"] as const;
export type StandinPackage = (typeof STANDIN_PACKAGES)[number];

/** The plugin version each SDK package registers its resources with. */
export function sdkVersions(): Record<StandinPackage, string> {
  const version = (pkg: StandinPackage): string =>
    (
      JSON.parse(readFileSync(path.join(repo, "node_modules/@pulumi", pkg, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  return { aws: version("aws"), kubernetes: version("kubernetes"), random: version("random") };
}

/** Returns the plugin directories it made, by package. */
export async function installStandinPlugins(
  pulumiHome: string,
  standinDir: string,
): Promise<Record<StandinPackage, string>> {
  const versions = sdkVersions();
  const dirs = {} as Record<StandinPackage, string>;
  for (const pkg of STANDIN_PACKAGES) {
    // The directory name carries the version the engine matches and the stand-in reports.
    const dir = path.join(pulumiHome, "plugins", `resource-${pkg}-v${versions[pkg]}`);
    await mkdir(dir, { recursive: true });
    await symlink(path.join(standinDir, "pulumi-resource-standin"), path.join(dir, `pulumi-resource-${pkg}`));
    dirs[pkg] = dir;
  }
  return dirs;
}
