import type { ResourceValidationPolicy } from "@pulumi/policy";
import { prop } from "../known";
import { T } from "../resourceTypes";

/** The engines' documented defaults and the names every scanner tries first. */
const DEFAULT_NAMES = ["admin", "postgres", "root", "master", "administrator", "sa"];

/**
 * A default master user name is half of a guessable credential (AWS Config
 * `rds-cluster-default-admin-check`). Only the cluster that carries the credentials is judged:
 * secondaries take the user from the global cluster.
 */
export const auroraAdminUsername: ResourceValidationPolicy = {
  name: "aurora-admin-username",
  description: "Aurora clusters do not use a default master user name (admin, postgres, root, ...).",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema: {
    properties: {
      forbiddenNames: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_NAMES,
        description: "Master user names to refuse, compared without case.",
      },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== T.rdsCluster) return;
    const forbidden = args.getConfig<{ forbiddenNames?: string[] }>().forbiddenNames ?? DEFAULT_NAMES;
    const username = prop(args.props, "masterUsername");
    if (username.state !== "known" || typeof username.value !== "string") return;
    if (forbidden.some((n) => n.toLowerCase() === (username.value as string).toLowerCase())) {
      report(`masterUsername is the default name "${username.value}"; choose one an attacker must guess.`);
    }
  },
};
