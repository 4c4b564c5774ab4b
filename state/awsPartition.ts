/**
 * The ARN partition of a set of regions: China and GovCloud regions live in their own partitions,
 * whose ARNs a policy written for `aws` would never match.
 */
export function partitionOf(regions: readonly string[]): string {
  if (regions.some((r) => r.startsWith("cn-"))) return "aws-cn";
  if (regions.some((r) => r.startsWith("us-gov-"))) return "aws-us-gov";
  return "aws";
}
