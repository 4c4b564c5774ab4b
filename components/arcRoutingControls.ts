import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface ArcRoutingControlsArgs {
  /** The regions that get a routing control, each named once. */
  readonly regions: readonly string[];
  /**
   * Milliseconds the safety rule waits before a control changes again, so state flapping is
   * damped. Default 5000 (the value AWS's examples use).
   */
  readonly waitPeriodMs?: number;
  /** Tags on every taggable child; the provider's default tags apply as well. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** One of the cluster's regional data-plane endpoints. */
export interface ArcClusterEndpoint {
  readonly endpoint: string;
  readonly region: string;
}

export const DEFAULT_SAFETY_RULE_WAIT_MS = 5_000;

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Every problem with the args, each naming its field. */
export function arcRoutingControlsIssues(args: ArcRoutingControlsArgs): string[] {
  const issues: string[] = [];
  if (args.regions.length === 0) issues.push("regions: needs at least one region");
  const seen = new Set<string>();
  args.regions.forEach((r, i) => {
    if (!REGION_NAME.test(r)) issues.push(`regions[${i}]: ${r} is not a region name`);
    if (seen.has(r)) issues.push(`regions[${i}]: ${r} is listed twice`);
    seen.add(r);
  });
  const wait = args.waitPeriodMs;
  if (wait !== undefined && (!Number.isInteger(wait) || wait < 0)) {
    issues.push(`waitPeriodMs: must be a whole number of milliseconds, at least 0, got ${wait}`);
  }
  return issues;
}

/**
 * Route 53 ARC routing controls for an environment: a cluster (its five regional endpoints serve
 * the data plane the controller flips controls through), a control panel, one routing control per
 * region, an assertion safety rule that keeps at least one control on, and one RECOVERY_CONTROL
 * health check per region for the DNS records to answer to. A region's records are then healthy
 * exactly while its control is on: traffic moves as soon as the controller flips the controls,
 * with no health-check detection delay, and without the Route 53 control plane.
 *
 * The ARC control-configuration API lives in us-west-2: pass a provider for that region in
 * `providers`. Routing controls start off; the controller turns the serving regions on.
 */
export class ArcRoutingControls extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterEndpoints: pulumi.Output<ArcClusterEndpoint[]>;
  readonly controlPanelArn: pulumi.Output<string>;
  readonly safetyRuleArn: pulumi.Output<string>;
  /** Routing control ARN by region. */
  readonly routingControlArns: Readonly<Record<string, pulumi.Output<string>>>;
  /** The RECOVERY_CONTROL health check id by region, for the records. */
  readonly healthCheckIds: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: ArcRoutingControlsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before registering, so a bad argument leaves no half-built component behind.
    const issues = arcRoutingControlsIssues(args);
    if (issues.length > 0) throw new Error(`${name}: ${issues.join("; ")}`);
    super("regionctl:index:ArcRoutingControls", name, {}, opts);

    const tags = args.tags === undefined ? undefined : { ...args.tags };
    const cluster = new aws.route53recoverycontrol.Cluster(`${name}-cluster`, { tags }, { parent: this });
    const panel = new aws.route53recoverycontrol.ControlPanel(
      `${name}-panel`,
      { clusterArn: cluster.arn, tags },
      { parent: this },
    );

    const controls = new Map<string, aws.route53recoverycontrol.RoutingControl>();
    const checks = new Map<string, aws.route53.HealthCheck>();
    for (const region of args.regions) {
      const control = new aws.route53recoverycontrol.RoutingControl(
        `${name}-${region}`,
        { clusterArn: cluster.arn, controlPanelArn: panel.arn },
        { parent: this },
      );
      controls.set(region, control);
      checks.set(
        region,
        new aws.route53.HealthCheck(
          `${name}-${region}-health`,
          {
            type: "RECOVERY_CONTROL",
            routingControlArn: control.arn,
            tags: { ...args.tags, Name: `${name}-${region}` },
          },
          { parent: this },
        ),
      );
    }

    // An assertion rule: any change that would leave fewer than one control on is refused, so no
    // controller bug or hurried operator can take every region out of DNS at once.
    const safetyRule = new aws.route53recoverycontrol.SafetyRule(
      `${name}-at-least-one-on`,
      {
        controlPanelArn: panel.arn,
        assertedControls: [...controls.values()].map((c) => c.arn),
        ruleConfig: { type: "ATLEAST", threshold: 1, inverted: false },
        waitPeriodMs: args.waitPeriodMs ?? DEFAULT_SAFETY_RULE_WAIT_MS,
        tags,
      },
      { parent: this },
    );

    this.clusterArn = cluster.arn;
    this.clusterEndpoints = cluster.clusterEndpoints.apply((eps) =>
      (eps ?? []).map((e) => ({ endpoint: e.endpoint, region: e.region })),
    );
    this.controlPanelArn = panel.arn;
    this.safetyRuleArn = safetyRule.arn;
    this.routingControlArns = Object.fromEntries([...controls].map(([r, c]) => [r, c.arn]));
    this.healthCheckIds = Object.fromEntries([...checks].map(([r, hc]) => [r, hc.id]));
    this.registerOutputs({
      clusterArn: this.clusterArn,
      clusterEndpoints: this.clusterEndpoints,
      controlPanelArn: this.controlPanelArn,
      safetyRuleArn: this.safetyRuleArn,
      routingControlArns: this.routingControlArns,
      healthCheckIds: this.healthCheckIds,
    });
  }
}
