import type { StackSelection } from "../../ports";

/**
 * Turns targets and excludes given as regions into the URNs `pulumi up --target/--exclude` takes.
 *
 * A region is its `regionctl:index:RegionStack` component and everything under it. Two sources
 * make up that set:
 * - the stack's exported deployment: the component and every resource whose parent chain reaches
 *   it, whatever their names;
 * - for resources not in state yet (a region's first update, a slot a promotion adds), URN
 *   patterns, which the CLI supports in --target and --exclude (`*` stays within a URN part, `**`
 *   spans anything): the component at any depth, and its descendants whose names start with
 *   `<region>-`, as the project's naming convention requires of every resource in a region.
 *
 * The dependents flags are deliberately not used: --target-dependents would also update whatever
 * depends on the region (a global record reading its endpoint), and --exclude-dependents would
 * freeze it; both would break "only this region changes" and "every other resource still moves".
 */

export const REGION_STACK_TYPE = "regionctl:index:RegionStack";

/** The fields of a resource in an exported deployment that the selection needs. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly parent?: string;
}

/** What URNs are built from: `urn:pulumi:<stack>::<project>::<type chain>::<name>`. */
export interface StackIdentity {
  /** The stack's short name, as it appears in URNs. */
  readonly stack: string;
  readonly project: string;
}

export interface ResolvedSelection {
  readonly target?: readonly string[];
  readonly exclude?: readonly string[];
  /** Targets were asked for and every one of them is excluded: there is nothing to update. */
  readonly empty: boolean;
}

/** The last `::` part of a URN: the resource's name. */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Every URN of the region's subtree that the deployment holds (empty when it holds none). */
export function regionUrnsInState(resources: readonly StateResource[], region: string): string[] {
  const roots = resources.filter((r) => r.type === REGION_STACK_TYPE && urnName(r.urn) === region);
  const members = new Set(roots.map((r) => r.urn));
  const children = new Map<string, StateResource[]>();
  for (const r of resources) {
    if (r.parent !== undefined && r.parent !== "") {
      children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    }
  }
  const queue = [...members];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    for (const child of children.get(next) ?? []) {
      if (!members.has(child.urn)) {
        members.add(child.urn);
        queue.push(child.urn);
      }
    }
  }
  // Deployment order, so commands and messages read like the state.
  return resources.filter((r) => members.has(r.urn)).map((r) => r.urn);
}

/** Patterns for the region's component and its conventionally named descendants, in state or not. */
export function regionUrnPatterns(id: StackIdentity, region: string): string[] {
  const prefix = `urn:pulumi:${id.stack}::${id.project}::`;
  return [`${prefix}**${REGION_STACK_TYPE}::${region}`, `${prefix}**${REGION_STACK_TYPE}$**::${region}-*`];
}

/** The region's URNs: those in state, then the patterns for what is not in state yet. */
export function regionUrns(resources: readonly StateResource[], id: StackIdentity, region: string): string[] {
  return [...regionUrnsInState(resources, region), ...regionUrnPatterns(id, region)];
}

function selectionUrns(
  selection: StackSelection,
  resources: readonly StateResource[],
  id: StackIdentity,
  skipRegions: ReadonlySet<string>,
): string[] {
  const urns = (selection.regions ?? [])
    .filter((r) => !skipRegions.has(r))
    .flatMap((r) => regionUrns(resources, id, r));
  return [...new Set([...urns, ...(selection.urns ?? [])])];
}

/**
 * Targets and excludes as CLI arguments. With both, the CLI lets targets win, so excluded regions
 * and URNs are taken out of the targets instead of being passed as excludes. Targets that name
 * nothing (or only excluded things) mean "update nothing", never "update everything".
 */
export function resolveSelection(
  targets: StackSelection | undefined,
  excludes: StackSelection | undefined,
  resources: readonly StateResource[],
  id: StackIdentity,
): ResolvedSelection {
  const excludedRegions = new Set(excludes?.regions ?? []);
  const exclude = excludes === undefined ? [] : selectionUrns(excludes, resources, id, new Set());
  if (targets === undefined) {
    return { exclude: exclude.length > 0 ? exclude : undefined, empty: false };
  }
  const excludedUrns = new Set(exclude);
  const target = selectionUrns(targets, resources, id, excludedRegions).filter((u) => !excludedUrns.has(u));
  return { target, empty: target.length === 0 };
}

/** The deployment's resources, from `stack.exportStack()`'s untyped document. */
export function deploymentResources(deployment: unknown): StateResource[] {
  const resources = (deployment as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) {
    return [];
  }
  return resources.filter(
    (r): r is StateResource =>
      typeof r === "object" && r !== null && typeof r.urn === "string" && typeof r.type === "string",
  );
}
