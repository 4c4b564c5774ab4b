import { describe, expect, it } from "vitest";
import { withConfigHints } from "../../automation/configHints";
import { failureHint } from "../../automation/failureHints";

describe("failure hints: regionctl's words and the fix for what the machine lacks", () => {
  const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });
  it.each([
    [
      new Error(
        "code: -2\n stdout: \n stderr: error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions",
      ),
      /not logged in/,
      /pulumi login/,
    ],
    [new Error("error: no stack named 'prod' found"), /no stack prod/, /pulumi stack init prod/],
    [
      new Error("error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE"),
      /passphrase/,
      /PULUMI_CONFIG_PASSPHRASE/,
    ],
    [new Error("No active cluster!"), /no Kubernetes cluster/, /kubeContext/],
    [new Error('context "eks-west" not found'), /kube context eks-west named/, /kubectl config get-contexts/],
    [named("CredentialsProviderError", "whatever the chain said"), /no AWS credentials/, /aws configure/],
    [new Error("Could not load credentials from any providers"), /no AWS credentials/, /AWS_ACCESS_KEY_ID/],
    [new Error("Region is missing"), /no AWS region/, /aws:region/],
  ])("%s", (err, problem, fix) => {
    const hint = failureHint(err);
    expect(hint?.problem).toMatch(problem);
    expect(hint?.fix).toMatch(fix);
  });

  it("leaves every other failure alone", () => {
    expect(failureHint(new Error("stack update failed: provider crashed"))).toBeNull();
    expect(failureHint("a string")).toBeNull();
  });
});

describe("config hints", () => {
  const unrecognized = (keys: string[]) => ({
    path: "regionctl",
    message: `Unrecognized key(s) in object: ${keys.map((k) => `'${k}'`).join(", ")}`,
  });

  it("a dotted key set without --path gets the --path command", () => {
    const [issue] = withConfigHints([unrecognized(["release.maxParallel"])]);
    expect(issue.path).toBe("regionctl:release.maxParallel");
    expect(issue.message).toContain("pulumi config set --path 'regionctl:release.maxParallel' VALUE");
  });

  it("a near miss of a known key is named as a likely typo; one issue per key", () => {
    expect(withConfigHints([unrecognized(["writr", "stateStor", "zzz"])])).toEqual([
      { path: "regionctl:writr", message: "unknown key; did you mean regionctl:writer?" },
      { path: "regionctl:stateStor", message: "unknown key; did you mean regionctl:stateStore?" },
      {
        path: "regionctl:zzz",
        message: expect.stringMatching(/^unknown key; the keys are regionctl:environment/),
      },
    ]);
  });

  it("other issues pass through unchanged", () => {
    const issues = [
      { path: "regionctl:writer", message: "Required" },
      { path: "regionctl:release", message: "Unrecognized key(s) in object: 'maxParalel'" },
    ];
    expect(withConfigHints(issues)).toEqual(issues);
  });
});
