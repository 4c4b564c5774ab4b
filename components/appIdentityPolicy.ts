/**
 * The IAM documents of the app's pod identity, as data. Pure, so tests pin them without mocks.
 */

export interface PolicyStatement {
  readonly Effect: "Allow";
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: Record<string, string>;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

/** EKS Pod Identity assumes the role for the pod, and tags the session with the pod's attributes. */
export function podIdentityTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ],
  };
}

/**
 * The ARN of a secret's replica in `region`. A replica keeps the primary's name and random suffix;
 * only the region differs.
 */
export function regionalSecretArn(secretArn: string, region: string): string {
  const parts = secretArn.split(":");
  if (parts.length < 7 || parts[0] !== "arn" || parts[2] !== "secretsmanager") {
    throw new Error(`not a Secrets Manager secret ARN: ${secretArn}`);
  }
  parts[3] = region;
  return parts.join(":");
}

/**
 * Reading the database secret in the pod's own region: the replica there (so reads keep working
 * while the secret's home region is down) and the region's database key, only through Secrets
 * Manager in that region.
 */
export function secretReadPolicy(args: {
  readonly secretArn: string;
  readonly kmsKeyArn: string;
  readonly region: string;
}): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: regionalSecretArn(args.secretArn, args.region),
      },
      {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: args.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
      },
    ],
  };
}
