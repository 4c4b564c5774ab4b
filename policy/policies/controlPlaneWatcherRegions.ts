import type { StackValidationPolicy } from "@pulumi/policy";
import { knownString } from "../known";
import { T } from "../resourceTypes";

/** How the program labels a `regionctl watch` replica's Deployment, and the region it runs in. */
const NAME_LABEL = "app.kubernetes.io/name";
const WATCHER_NAME = "regionctl-watch";
const REGION_LABEL = "regionctl.io/region";
const DEFAULT_MIN_REGIONS = 2;

/**
 * Watchers that all run in one region die with it, and so does the recovery path: the failure they
 * exist to handle takes them first (AWS Well-Architected REL11-BP04: fail over using only what runs
 * in healthy regions). With any watcher deployed, the watchers span at least `minRegions` regions
 * (default 2; three give a majority of vantage points after losing any one).
 */
export const controlPlaneWatcherRegions: StackValidationPolicy = {
  name: "control-plane-watcher-regions",
  description: "Deployed regionctl watch replicas run in at least two regions (minRegions).",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      minRegions: { type: "integer", minimum: 1, default: DEFAULT_MIN_REGIONS },
    },
  },
  validateStack: (args, report) => {
    const minRegions = args.getConfig<{ minRegions?: number }>().minRegions ?? DEFAULT_MIN_REGIONS;
    const watchers = args.resources.filter(
      (r) =>
        r.type === T.deployment &&
        knownString(() => (r.props.metadata as { labels?: Record<string, unknown> }).labels?.[NAME_LABEL]) ===
          WATCHER_NAME,
    );
    if (watchers.length === 0) return;
    const regions = new Set<string>();
    for (const w of watchers) {
      const region = knownString(
        () => (w.props.metadata as { labels?: Record<string, unknown> }).labels?.[REGION_LABEL],
      );
      if (region === undefined) {
        report(`watcher ${w.name} has no ${REGION_LABEL} label: its region cannot be counted.`, w.urn);
        continue;
      }
      regions.add(region);
    }
    if (regions.size > 0 && regions.size < minRegions) {
      report(
        `the regionctl watch replicas run in ${regions.size} region(s) (${[...regions].sort().join(", ")}); at least ${minRegions} are required, so losing one region leaves a watcher elsewhere (regionctl:controlPlane.watchers).`,
      );
    }
  },
};
