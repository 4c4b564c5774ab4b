import { describe, expect, it } from "vitest";
import { databasePortNotPublic as policy } from "../../policy/policies/databasePortNotPublic";
import { goodStack, res, violationsOf } from "./fixtures";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe("database-port-not-public", () => {
  it("accepts ingress from the clients' security group and public HTTPS", async () => {
    const stack = goodStack();
    stack.push(
      res(INGRESS, "db-ingress", {
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        referencedSecurityGroupId: "sg-1",
      }),
      res(INGRESS, "https", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }),
    );
    expect(await violationsOf([policy], stack)).toEqual([]);
  });

  it("rejects the database port open to any address, however the rule is written", async () => {
    const stack = goodStack();
    stack.push(
      res(INGRESS, "open-v4", { ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "0.0.0.0/0" }),
      res(INGRESS, "open-all", { ipProtocol: "-1", cidrIpv6: "::/0" }),
      res("aws:ec2/securityGroupRule:SecurityGroupRule", "open-range", {
        type: "ingress",
        protocol: "tcp",
        fromPort: 3000,
        toPort: 4000,
        cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"],
      }),
      res("aws:ec2/securityGroupRule:SecurityGroupRule", "egress", {
        type: "egress",
        protocol: "-1",
        cidrBlocks: ["0.0.0.0/0"],
      }),
      res("aws:ec2/securityGroup:SecurityGroup", "inline", {
        ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }],
      }),
    );
    const v = await violationsOf([policy], stack);
    expect(v.map((x) => `${x.resource?.name}: ${x.message}`)).toEqual([
      "open-v4: ingress opens database port 5432 to any address.",
      "open-all: ingress opens database port 3306, 5432 to any address.",
      "open-range: ingress opens database port 3306 to any address.",
      "inline: ingress opens database port 5432 to any address.",
    ]);
  });
});
