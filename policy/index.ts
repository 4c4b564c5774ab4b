import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT, PACK_NAME, policies } from "./allPolicies";

// The pack's entry point, loaded by `pulumi preview --policy-pack policy`. Constructing a PolicyPack
// starts the analyzer's gRPC server, so nothing else imports this file; `regionctl validate` runs
// the same policies from allPolicies.ts.
new PolicyPack(PACK_NAME, {
  description:
    "regionctl: multi-region invariants for Aurora global databases, Route 53 failover and the regional apps.",
  enforcementLevel: PACK_ENFORCEMENT,
  policies,
});
