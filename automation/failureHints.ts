/**
 * regionctl's own words for failures that come from the machine rather than from regionctl: the
 * Pulumi CLI not logged in, a kube context missing, no AWS credentials. Each names the fix. Pure:
 * matched on the error's name and message, so a table test covers every case.
 */
export interface FailureHint {
  /** What is wrong, in regionctl's terms. */
  readonly problem: string;
  /** The command or setting that fixes it. */
  readonly fix: string;
}

interface Rule {
  readonly test: (name: string, message: string) => RegExpExecArray | boolean | null;
  readonly hint: (match: RegExpExecArray | boolean | null) => FailureHint;
}

const RULES: readonly Rule[] = [
  {
    test: (_n, m) => /PULUMI_ACCESS_TOKEN must be set|not logged in|you must be logged in/i.test(m),
    hint: () => ({
      problem: "the Pulumi CLI is not logged in to a backend, so the stack cannot be read or updated",
      fix: "run `pulumi login` (in CI, set PULUMI_ACCESS_TOKEN on the steps that run regionctl), or `pulumi login s3://BUCKET` / `pulumi login file://DIR` for a self-managed backend",
    }),
  },
  {
    test: (_n, m) => /no stack named '([^']+)' found/i.exec(m),
    hint: (match) => {
      const stack = Array.isArray(match) ? match[1] : "the stack";
      return {
        problem: `the Pulumi backend you are logged in to has no stack ${stack}`,
        fix: `check the backend with \`pulumi whoami -v\`, then \`pulumi stack init ${stack}\` and \`pulumi up\` to create it`,
      };
    },
  },
  {
    test: (_n, m) => /passphrase must be set|incorrect passphrase|PULUMI_CONFIG_PASSPHRASE/i.test(m),
    hint: () => ({
      problem: "the stack's secrets are encrypted with a passphrase regionctl was not given",
      fix: "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase",
    }),
  },
  {
    test: (_n, m) =>
      /pulumi(-language-nodejs)?\b.*\b(ENOENT|not found)|could not find pulumi|no pulumi cli/i.test(m),
    hint: () => ({
      problem: "the Pulumi CLI (3.165 or later) is not available",
      fix: "install it (https://www.pulumi.com/docs/install/) or run `bash scripts/provide-pulumi.sh`",
    }),
  },
  {
    test: (_n, m) => /No active cluster/i.test(m),
    hint: () => ({
      problem:
        "no Kubernetes cluster to talk to: the region's kube context is not in the kubeconfig, or the kubeconfig has no current context",
      fix: "give each region a `kubeContext` that `kubectl config get-contexts` lists (regionctl:regions[i].kubeContext), or point KUBECONFIG at the file that has it",
    }),
  },
  {
    test: (_n, m) => /context "?([^"\s]+)"? (was )?not found|unknown context/i.exec(m),
    hint: (match) => ({
      problem: `the kube context ${Array.isArray(match) ? `${match[1]} ` : ""}named in the config is not in the kubeconfig`,
      fix: "fix regionctl:regions[i].kubeContext to a context `kubectl config get-contexts` lists, or point KUBECONFIG at the file that has it",
    }),
  },
  {
    test: (n, m) =>
      n === "CredentialsProviderError" || /Could not load credentials from any providers/i.test(m),
    hint: () => ({
      problem: "no AWS credentials: regionctl cannot reach Route 53, RDS or CloudWatch",
      fix: "configure credentials with `aws configure` or `aws sso login` (and AWS_PROFILE), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in GitHub Actions, aws-actions/configure-aws-credentials",
    }),
  },
  {
    test: (_n, m) => /Region is missing/i.test(m),
    hint: () => ({
      problem: "no AWS region for a call",
      fix: "set aws:region in the stack file (`pulumi config set aws:region us-east-1`) or AWS_REGION",
    }),
  },
];

export function failureHint(err: unknown): FailureHint | null {
  const name = err instanceof Error ? err.name : "";
  const message = err instanceof Error ? err.message : String(err);
  for (const rule of RULES) {
    const match = rule.test(name, message);
    if (match !== null && match !== false) return rule.hint(match);
  }
  return null;
}
