import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "../known";
import { T } from "../resourceTypes";

const ANYWHERE = new Set(["0.0.0.0/0", "::/0"]);
const DEFAULT_PORTS = [3306, 5432];

interface Rule {
  readonly fromPort?: unknown;
  readonly toPort?: unknown;
  readonly protocol?: unknown;
  readonly ipProtocol?: unknown;
  readonly cidrBlocks?: unknown;
  readonly ipv6CidrBlocks?: unknown;
  readonly cidrIpv4?: unknown;
  readonly cidrIpv6?: unknown;
}

/**
 * The database port is reachable only from the clients' security group, never from any address
 * (the AWS Config rule `vpc-sg-open-only-to-authorized-ports` in spirit). Checks the three ways a
 * Pulumi program opens a port: a security group's inline ingress, a SecurityGroupRule and a
 * SecurityGroupIngressRule.
 */
export const databasePortNotPublic: ResourceValidationPolicy = {
  name: "database-port-not-public",
  description: "No security group ingress opens a database port to 0.0.0.0/0 or ::/0.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      ports: { type: "array", items: { type: "integer" }, default: DEFAULT_PORTS },
    },
  },
  validateResource: (args, report) => {
    const ports = args.getConfig<{ ports?: number[] }>().ports ?? DEFAULT_PORTS;
    let rules: Rule[] = [];
    if (args.type === T.securityGroup) {
      rules = (known(() => args.props.ingress) as Rule[] | undefined) ?? [];
    } else if (args.type === T.securityGroupRule) {
      if (known(() => args.props.type) !== "ingress") return;
      rules = [args.props as Rule];
    } else if (args.type === T.securityGroupIngressRule) {
      rules = [args.props as Rule];
    } else {
      return;
    }
    for (const rule of rules) {
      if (!openToAnyone(rule)) continue;
      const open = ports.filter((p) => covers(rule, p));
      if (open.length > 0) report(`ingress opens database port ${open.join(", ")} to any address.`);
    }
  },
};

function openToAnyone(rule: Rule): boolean {
  const cidrs = [
    ...asArray(known(() => rule.cidrBlocks)),
    ...asArray(known(() => rule.ipv6CidrBlocks)),
    known(() => rule.cidrIpv4),
    known(() => rule.cidrIpv6),
  ];
  return cidrs.some((c) => typeof c === "string" && ANYWHERE.has(c));
}

function covers(rule: Rule, port: number): boolean {
  const protocol = String(known(() => rule.ipProtocol ?? rule.protocol) ?? "");
  if (protocol === "-1" || protocol === "all") return true;
  const from = Number(known(() => rule.fromPort));
  const to = Number(known(() => rule.toPort));
  return Number.isFinite(from) && Number.isFinite(to) && from <= port && port <= to;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
