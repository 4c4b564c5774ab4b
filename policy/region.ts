import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { knownString } from "./known";
import { T } from "./resourceTypes";

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`: an AWS region name at the start of a string. */
const REGION_PREFIX = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)(?:-|$)/;

/**
 * The AWS region a resource is created in: its own `region` argument (AWS provider v7 lets any
 * resource override its provider's region), else its provider's `region`. Undefined when neither
 * is known, e.g. a default provider configured only through the environment.
 */
export function awsRegionOf(
  props: Record<string, unknown>,
  provider?: PolicyProviderResource,
): string | undefined {
  const own = knownString(() => props.region);
  if (own !== undefined) return own;
  if (provider?.type === T.awsProvider) {
    return knownString(() => provider.props.region);
  }
  return undefined;
}

/** The region inside an ARN (`arn:aws:kms:us-west-2:123456789012:key/...`), if it is one. */
export function regionFromArn(value: string): string | undefined {
  const parts = value.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return parts[3] === "" ? undefined : parts[3];
}

/** The region a name like `us-west-2-app` starts with. */
export function regionPrefix(name: string): string | undefined {
  return REGION_PREFIX.exec(name)?.[1];
}

/** The name of the enclosing `regionctl:index:RegionStack` component, which is named by its region. */
export function regionStackOf(resource: PolicyResource): string | undefined {
  for (let p = resource.parent; p !== undefined; p = p.parent) {
    if (p.type === T.regionStack) return p.name;
  }
  return undefined;
}

/**
 * The region a resource of the stack belongs to. AWS resources live where their provider (or own
 * `region`) puts them; Kubernetes and component resources belong to the RegionStack they sit in,
 * or failing that to the region their name starts with (the project's naming convention).
 */
export function regionOfResource(resource: PolicyResource): string | undefined {
  if (resource.type.startsWith("aws:")) {
    const r = awsRegionOf(resource.props, resource.provider);
    if (r !== undefined) return r;
  }
  return regionStackOf(resource) ?? regionPrefix(resource.name);
}

/**
 * The region a global (Route 53) resource is about, as opposed to where it is created: every health
 * check and record lives in us-east-1, but each covers one region. Taken from the name prefix
 * (`<region>-...`, the project's convention), a `region` tag, or a latency record's region.
 */
export function coveredRegion(resource: {
  name: string;
  props: Record<string, unknown>;
}): string | undefined {
  const byName = regionPrefix(resource.name);
  if (byName !== undefined) return byName;
  const tag = knownString(() => (resource.props.tags as Record<string, unknown> | undefined)?.region);
  if (tag !== undefined) return tag;
  const latency = knownString(
    () => (resource.props.latencyRoutingPolicies as { region?: unknown }[] | undefined)?.[0]?.region,
  );
  if (latency !== undefined) return latency;
  const setIdentifier = knownString(() => resource.props.setIdentifier);
  return setIdentifier === undefined ? undefined : regionPrefix(setIdentifier);
}
