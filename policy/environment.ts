import { knownString } from "./known";
import { regionPrefix } from "./region";

/**
 * The environment (dev, staging, prod, ...) a database resource belongs to: the policy's
 * `environment` setting when given, else an `environment` tag, else the identifier the program
 * derives from it (`<environment>-<region>` for clusters, `<environment>-global` for the global
 * cluster). Undefined when none of these says.
 */
export function environmentOf(props: Record<string, unknown>, configured?: string): string | undefined {
  if (configured !== undefined && configured !== "") return configured;
  const tags = (): Record<string, unknown> | undefined => props.tags as Record<string, unknown> | undefined;
  const tagged = knownString(() => tags()?.environment) ?? knownString(() => tags()?.Environment);
  if (tagged !== undefined) return tagged;
  const id = knownString(() => props.clusterIdentifier) ?? knownString(() => props.globalClusterIdentifier);
  return id === undefined ? undefined : environmentFromIdentifier(id);
}

function environmentFromIdentifier(id: string): string | undefined {
  if (id.endsWith("-global")) return id.slice(0, -"-global".length) || undefined;
  // `<environment>-<region>`: find where a region name starts.
  for (let i = id.indexOf("-"); i > 0; i = id.indexOf("-", i + 1)) {
    const rest = id.slice(i + 1);
    if (regionPrefix(rest) === rest) return id.slice(0, i);
  }
  return undefined;
}
