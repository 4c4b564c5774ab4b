/**
 * The AWS API actions the controller's adapters call, declared by each adapter next to its code.
 * `regionctl iam-policy` prints exactly these; a test drives every adapter through a mocked SDK
 * and checks that the commands it sends are this set, no more and no less.
 */
export type AwsService =
  | "route53"
  | "route53-recovery-cluster"
  | "rds"
  | "cloudwatch"
  | "s3"
  | "dynamodb"
  | "secretsmanager"
  | "kms";

export interface AwsActionDeclaration {
  /** The adapter that sends them, for the policy's statement ids. */
  readonly adapter: string;
  readonly service: AwsService;
  /** SDK command names without the `Command` suffix; they are the IAM action names. */
  readonly actions: readonly string[];
}

export function declareActions(
  adapter: string,
  service: AwsService,
  actions: readonly string[],
): AwsActionDeclaration {
  return { adapter, service, actions: [...actions].sort() };
}

/** `rds:DescribeGlobalClusters`, ... */
export function iamActionNames(declarations: readonly AwsActionDeclaration[]): string[] {
  return [...new Set(declarations.flatMap((d) => d.actions.map((a) => `${d.service}:${a}`)))].sort();
}
