import { describe, expect, it } from "vitest";
import {
  deploymentResources,
  regionUrnPatterns,
  regionUrns,
  regionUrnsInState,
  resolveSelection,
  type StateResource,
} from "../../automation/adapters/pulumi/regionSelection";

const id = { stack: "dev", project: "regionctl" };
const base = "urn:pulumi:dev::regionctl::";
const stackUrn = `${base}pulumi:pulumi:Stack::regionctl-dev`;
const regionStack = (region: string, parent = stackUrn): StateResource => ({
  urn: `${base}regionctl:index:RegionStack::${region}`,
  type: "regionctl:index:RegionStack",
  parent,
});
const child = (parent: StateResource, type: string, name: string): StateResource => ({
  urn: `${base}${parent.urn.slice(base.length, parent.urn.lastIndexOf("::"))}$${type}::${name}`,
  type,
  parent: parent.urn,
});

const east = regionStack("us-east-1");
const eastApp = child(east, "regionctl:index:RegionalApp", "us-east-1-app");
const eastDeployment = child(eastApp, "kubernetes:apps/v1:Deployment", "us-east-1-app-blue");
// Breaks the naming convention on purpose: state still ties it to its region.
const eastOddName = child(east, "pulumi:providers:aws", "provider-east");
const west = regionStack("us-west-2");
const westDb = child(west, "aws:rds/cluster:Cluster", "us-west-2-db");
const routing: StateResource = {
  urn: `${base}regionctl:index:FailoverRouting::routing`,
  type: "regionctl:index:FailoverRouting",
  parent: stackUrn,
};
const eastRecord = child(routing, "aws:route53/record:Record", "us-east-1-record");
const resources = [
  { urn: stackUrn, type: "pulumi:pulumi:Stack" },
  east,
  eastApp,
  eastDeployment,
  eastOddName,
  west,
  westDb,
  routing,
  eastRecord,
];

/** What the CLI does with a --target/--exclude value: `*` within a URN part, `**` across parts. */
function matches(pattern: string, urn: string): boolean {
  const regex = pattern
    .split("**")
    .map((part) =>
      part
        .split("*")
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^:]*"),
    )
    .join(".*");
  return new RegExp(`^${regex}$`).test(urn);
}

describe("regionUrnsInState", () => {
  it("returns the region stack and every descendant, whatever their names, and nothing else", () => {
    expect(regionUrnsInState(resources, "us-east-1")).toEqual([
      east.urn,
      eastApp.urn,
      eastDeployment.urn,
      eastOddName.urn,
    ]);
    expect(regionUrnsInState(resources, "us-west-2")).toEqual([west.urn, westDb.urn]);
  });

  it("is empty for a region the state does not hold", () => {
    expect(regionUrnsInState(resources, "eu-west-1")).toEqual([]);
  });

  it("finds a region stack nested under another component", () => {
    const env: StateResource = {
      urn: `${base}regionctl:index:Environment::dev`,
      type: "regionctl:index:Environment",
    };
    const nested = {
      ...regionStack("eu-west-1"),
      urn: `${base}regionctl:index:Environment$regionctl:index:RegionStack::eu-west-1`,
      parent: env.urn,
    };
    const nestedChild = child(nested, "aws:rds/cluster:Cluster", "eu-west-1-db");
    expect(regionUrnsInState([env, nested, nestedChild], "eu-west-1")).toEqual([nested.urn, nestedChild.urn]);
  });
});

describe("regionUrnPatterns", () => {
  const patterns = regionUrnPatterns(id, "us-east-1");
  const matched = (urn: string): boolean => patterns.some((p) => matches(p, urn));

  it("covers the region's conventionally named resources, in state or not yet", () => {
    expect(matched(east.urn)).toBe(true);
    expect(matched(eastDeployment.urn)).toBe(true);
    expect(
      matched(
        `${base}regionctl:index:RegionStack$regionctl:index:RegionalApp$kubernetes:apps/v1:Deployment::us-east-1-app-green`,
      ),
    ).toBe(true);
  });

  it("leaves other regions and the global resources named after the region alone", () => {
    expect(matched(west.urn)).toBe(false);
    expect(matched(westDb.urn)).toBe(false);
    // Route 53 records carry the region's name but live in FailoverRouting, outside the region.
    expect(matched(eastRecord.urn)).toBe(false);
    expect(matched(`${base}regionctl:index:RegionStack$aws:rds/cluster:Cluster::us-east-10-db`)).toBe(false);
  });

  it("names the stack and project the URNs use", () => {
    expect(patterns.every((p) => p.startsWith("urn:pulumi:dev::regionctl::"))).toBe(true);
  });
});

describe("resolveSelection", () => {
  it("turns target regions into their URNs and patterns", () => {
    const resolved = resolveSelection({ regions: ["us-west-2"] }, undefined, resources, id);
    expect(resolved).toEqual({ target: regionUrns(resources, id, "us-west-2"), empty: false });
  });

  it("passes excludes through when there are no targets", () => {
    const resolved = resolveSelection(
      undefined,
      { regions: ["us-east-1"], urns: [routing.urn] },
      resources,
      id,
    );
    expect(resolved.target).toBeUndefined();
    expect(resolved.exclude).toEqual([...regionUrns(resources, id, "us-east-1"), routing.urn]);
  });

  it("takes excluded regions and URNs out of the targets instead of passing both", () => {
    const resolved = resolveSelection(
      { regions: ["us-east-1", "us-west-2"], urns: [routing.urn] },
      { regions: ["us-east-1"], urns: [routing.urn] },
      resources,
      id,
    );
    expect(resolved.exclude).toBeUndefined();
    expect(resolved.target).toEqual(regionUrns(resources, id, "us-west-2"));
  });

  it("means nothing to do, never everything, when every target is excluded", () => {
    expect(
      resolveSelection({ regions: ["us-east-1"] }, { regions: ["us-east-1"] }, resources, id).empty,
    ).toBe(true);
    expect(resolveSelection({ regions: [] }, undefined, resources, id).empty).toBe(true);
  });

  it("is unconstrained without targets or excludes", () => {
    expect(resolveSelection(undefined, undefined, resources, id)).toEqual({
      exclude: undefined,
      empty: false,
    });
  });
});

describe("deploymentResources", () => {
  it("reads the resources of an exported deployment and skips malformed entries", () => {
    expect(deploymentResources({ resources: [east, { urn: 3 }, null, westDb] })).toEqual([east, westDb]);
    expect(deploymentResources({})).toEqual([]);
    expect(deploymentResources(null)).toEqual([]);
  });
});
