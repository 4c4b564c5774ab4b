/**
 * DynamoDB multi-Region strong consistency (MRSC) placement rules: a global table has three
 * replicas, or two replicas and a witness, all distinct and all in one Region set (DynamoDB
 * developer guide, "Multi-Region strong consistency"; the same list is in the CloudFormation
 * reference for `AWS::DynamoDB::GlobalTable GlobalTableWitness`).
 */

export const STRONG_CONSISTENCY_REGION_SETS: Readonly<Record<string, readonly string[]>> = {
  US: ["us-east-1", "us-east-2", "us-west-2"],
  EU: ["eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"],
  AP: ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3"],
};

export interface PlacementIssue {
  /** Relative to the store's config: `regions`, `regions[1]`, `witness`. */
  readonly field: string;
  readonly message: string;
}

function regionSetOf(region: string): string | undefined {
  return Object.keys(STRONG_CONSISTENCY_REGION_SETS).find((set) =>
    STRONG_CONSISTENCY_REGION_SETS[set].includes(region),
  );
}

/** Every broken rule, each naming its field; empty when the placement is valid. */
export function strongConsistencyPlacementIssues(
  regions: readonly string[],
  witness: string | undefined,
): PlacementIssue[] {
  const issues: PlacementIssue[] = [];
  const expected = witness === undefined ? 3 : 2;
  if (regions.length !== expected) {
    issues.push({
      field: "regions",
      message:
        witness === undefined
          ? `needs exactly 3 replica regions (or 2 and a witness), got ${regions.length}`
          : `needs exactly 2 replica regions beside the witness, got ${regions.length}`,
    });
  }
  const members = [...regions.map((r, i) => ({ field: `regions[${i}]`, region: r }))];
  if (witness !== undefined) members.push({ field: "witness", region: witness });
  const seen = new Set<string>();
  const sets = new Set<string>();
  for (const { field, region } of members) {
    if (seen.has(region)) issues.push({ field, message: `duplicate region ${region}` });
    seen.add(region);
    const set = regionSetOf(region);
    if (set === undefined) {
      issues.push({
        field,
        message: `${region} is in no Region set that supports multi-Region strong consistency (${Object.values(
          STRONG_CONSISTENCY_REGION_SETS,
        )
          .map((s) => s.join(", "))
          .join("; ")})`,
      });
    } else {
      sets.add(set);
    }
  }
  if (sets.size > 1) {
    issues.push({
      field: witness === undefined ? "regions" : "witness",
      message: `${witness === undefined ? "replica regions" : "replicas and witness"} must share one Region set, got ${[...sets].sort().join(" and ")}`,
    });
  }
  return issues;
}
