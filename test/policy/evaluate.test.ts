import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { policies } from "../../policy/allPolicies";
import { evaluatePolicies } from "../../policy/offline/evaluate";
import { checkPolicyConfig } from "../../policy/offline/policyConfig";
import { find, goodStack, patch, previewViolationsOf, res, UNKNOWN } from "./fixtures";

/** A policy that reports what it was given, to observe the evaluator. */
function probe(
  name: string,
  enforcementLevel?: ResourceValidationPolicy["enforcementLevel"],
): ResourceValidationPolicy & {
  seen: Record<string, unknown>[];
} {
  const seen: Record<string, unknown>[] = [];
  return {
    name,
    description: name,
    enforcementLevel,
    seen,
    configSchema: { properties: { limit: { type: "integer", default: 5 }, regions: { type: "array" } } },
    validateResource: (args, report) => {
      seen.push(args.getConfig());
      if (args.type === "test:index:Bad") report(`bad ${args.name}`);
      if (args.type === "test:index:Skip") args.notApplicable("skip");
    },
  };
}

const graph = [res("test:index:Bad", "b"), res("test:index:Skip", "s"), res("test:index:Good", "g")];

describe("evaluatePolicies", () => {
  it("reports per resource, at the policy's level, the pack's (mandatory) when it has none", async () => {
    const { violations, policies: ran } = await evaluatePolicies(graph, {
      policies: [probe("p"), probe("q", "advisory")],
    });
    expect(violations.map((v) => [v.policy, v.enforcementLevel, v.message, v.resource?.name])).toEqual([
      ["p", "mandatory", "bad b", "b"],
      ["q", "advisory", "bad b", "b"],
    ]);
    expect(ran).toEqual([
      { name: "p", enforcementLevel: "mandatory" },
      { name: "q", enforcementLevel: "advisory" },
    ]);
  });

  it("takes levels from config: disabled skips, remediate reports as mandatory", async () => {
    const { violations, policies: ran } = await evaluatePolicies(graph, {
      policies: [probe("p"), probe("q"), probe("r")],
      config: { p: "disabled", q: { enforcementLevel: "remediate" }, r: "advisory" },
    });
    expect(ran.map((p) => p.name)).toEqual(["q", "r"]);
    expect(violations.map((v) => [v.policy, v.enforcementLevel])).toEqual([
      ["q", "mandatory"],
      ["r", "advisory"],
    ]);
  });

  it("hands out schema defaults, then stack facts, then the user's settings", async () => {
    const p = probe("p");
    await evaluatePolicies([res("test:index:Good", "g")], {
      policies: [p],
      facts: { regions: ["us-east-1"], writer: "x" },
    });
    expect(p.seen).toEqual([{ limit: 5, regions: ["us-east-1"] }]);
    const q = probe("q");
    await evaluatePolicies([res("test:index:Good", "g")], {
      policies: [q],
      facts: { regions: ["us-east-1"] },
      config: { q: { enforcementLevel: "advisory", limit: 9, regions: ["eu-west-1"] } },
    });
    expect(q.seen).toEqual([{ limit: 9, regions: ["eu-west-1"] }]);
  });

  it("reports stack violations against the named resource, or the stack", async () => {
    const stackPolicy: StackValidationPolicy = {
      name: "s",
      description: "s",
      validateStack: (args, report) => {
        report("whole stack");
        report("one resource", args.resources.find((r) => r.name === "g")?.urn);
        const child = args.resources.find((r) => r.name === "c");
        report(
          `parent ${child?.parent?.name} deps ${child?.propertyDependencies.x?.map((d) => d.name).join(",")}`,
        );
      },
    };
    const g = res("test:index:Good", "g");
    const c = res("test:index:Good", "c", {}, { parent: g.urn, propertyDependencies: { x: [g.urn] } });
    const { violations } = await evaluatePolicies([g, c], { policies: [stackPolicy] });
    expect(violations.map((v) => [v.message, v.resource?.name])).toEqual([
      ["whole stack", undefined],
      ["one resource", "g"],
      ["parent g deps g", undefined],
    ]);
  });

  it("fails loudly when a policy throws", async () => {
    const broken: ResourceValidationPolicy = {
      name: "broken",
      description: "broken",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    await expect(evaluatePolicies(graph, { policies: [broken] })).rejects.toThrow(
      "policy broken failed: boom",
    );
  });
});

describe("the pack during a preview of a new stack", () => {
  it("neither blocks nor gives up on values that are not known yet", async () => {
    const stack = goodStack();
    for (const r of stack.filter((x) => x.type === "aws:rds/cluster:Cluster")) {
      patch(stack, r.name, {
        kmsKeyId: UNKNOWN,
        ...(r.inputs.masterPassword === undefined ? {} : { masterPassword: UNKNOWN }),
      });
    }
    for (const r of stack.filter((x) => x.type === "aws:route53/record:Record"))
      patch(stack, r.name, { healthCheckId: UNKNOWN });
    find(stack, "db-password").outputs = { length: 32, result: UNKNOWN };
    expect(await previewViolationsOf(policies, stack)).toEqual([]);
  });

  it("still catches what is known: a public instance and a long TTL", async () => {
    const stack = patch(goodStack(), "us-east-1-db-0", { publiclyAccessible: true });
    patch(stack, "us-west-2-record", { healthCheckId: UNKNOWN, ttl: 300 });
    const v = await previewViolationsOf(policies, stack);
    expect(v.map((x) => [x.policy, x.resource?.name])).toEqual([
      ["aurora-no-public-instances", "us-east-1-db-0"],
      ["route53-health-checked-ttl", "us-west-2-record"],
    ]);
  });
});

describe("checkPolicyConfig", () => {
  it("accepts the pulumi --policy-pack-config format, with `all`", () => {
    const checked = checkPolicyConfig(
      { all: "advisory", "aurora-backup-retention": { minDays: 10 } },
      policies,
    );
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.config["aurora-backup-retention"]).toEqual({ minDays: 10, enforcementLevel: "advisory" });
    expect(checked.config["stack-single-writer"]).toBe("advisory");
  });

  it("names every unknown policy and level", () => {
    expect(
      checkPolicyConfig({ nope: "advisory", "stack-single-writer": { enforcementLevel: "loud" } }, policies),
    ).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/^nope: no such policy/),
        'stack-single-writer: unknown enforcement level "loud" (advisory, mandatory, remediate, disabled)',
      ],
    });
    expect(checkPolicyConfig([], policies)).toEqual({
      ok: false,
      problems: ["must be a JSON object keyed by policy name"],
    });
  });
});

describe("evaluatePolicies with the stack's prior resources", () => {
  const seen: Record<string, unknown>[] = [];
  const watch: StackValidationPolicy = {
    name: "watch",
    description: "records the props it is shown",
    validateStack: (args) => {
      for (const r of args.resources) seen.push({ name: r.name, ...r.props, ignored: r.opts.ignoreChanges });
    },
  };
  const now = [
    res("test:index:Db", "moved", { password: "new", role: "secondary" }, { ignoreChanges: ["password"] }),
    res("test:index:Db", "gained", { password: "new", role: "writer" }, { ignoreChanges: ["password"] }),
    res("test:index:Db", "fresh", { password: "new" }, { ignoreChanges: ["password"] }),
  ];
  const prior = [
    res("test:index:Db", "moved", { password: "old", role: "writer" }),
    res("test:index:Db", "gained", { role: "secondary" }),
  ];

  it("keeps an existing resource's ignored properties at their stored values, as the engine does", async () => {
    seen.length = 0;
    await evaluatePolicies(now, { policies: [watch], prior });
    expect(seen).toEqual([
      { name: "moved", password: "old", role: "secondary", ignored: ["password"] },
      { name: "gained", role: "writer", ignored: ["password"] },
      { name: "fresh", password: "new", ignored: ["password"] },
    ]);
  });

  it("shows the registered values when there is no prior stack", async () => {
    seen.length = 0;
    await evaluatePolicies(now, { policies: [watch] });
    expect(seen.map((s) => s.password)).toEqual(["new", "new", "new"]);
  });
});
