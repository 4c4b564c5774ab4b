import type { EnforcementLevel, Policies } from "@pulumi/policy";
import type { PolicyPackConfig } from "./evaluate";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * Checks a policy config document (the JSON `pulumi preview --policy-pack-config` takes) against
 * the pack: every key a policy name, every enforcement level a known one. Returns every problem.
 */
export function checkPolicyConfig(
  raw: unknown,
  policies: Policies,
): { ok: true; config: PolicyPackConfig } | { ok: false; problems: string[] } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: ["must be a JSON object keyed by policy name"] };
  }
  const names = new Set(policies.map((p) => p.name));
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(raw)) {
    if (name === "all") {
      if (!LEVELS.includes(entry as EnforcementLevel))
        problems.push(`all: unknown enforcement level ${JSON.stringify(entry)}`);
      continue;
    }
    if (!names.has(name)) {
      problems.push(`${name}: no such policy (policies: ${[...names].join(", ")})`);
      continue;
    }
    const level =
      typeof entry === "object" && entry !== null
        ? (entry as { enforcementLevel?: unknown }).enforcementLevel
        : entry;
    if (level !== undefined && !LEVELS.includes(level as EnforcementLevel)) {
      problems.push(`${name}: unknown enforcement level ${JSON.stringify(level)} (${LEVELS.join(", ")})`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: expandAll(raw as PolicyPackConfig, policies) };
}

/** `"all": "advisory"` sets every policy's level, below the policies' own entries (as Pulumi does). */
function expandAll(config: PolicyPackConfig, policies: Policies): PolicyPackConfig {
  const all = config.all as EnforcementLevel | undefined;
  if (all === undefined) return config;
  const expanded: Record<string, PolicyPackConfig[string]> = {};
  for (const p of policies) {
    const own = config[p.name];
    if (own === undefined) expanded[p.name] = all;
    else if (typeof own === "object" && own.enforcementLevel === undefined)
      expanded[p.name] = { ...own, enforcementLevel: all };
    else expanded[p.name] = own;
  }
  return expanded;
}
