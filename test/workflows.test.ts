import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, unknown>;
}
interface Workflow {
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, { readonly env?: Record<string, string>; readonly steps: readonly Step[] }>;
}
const load = (file: string): Workflow =>
  parseYaml(readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;

let actionlint: string;
beforeAll(() => {
  const out = execFileSync("bash", [path.join(ROOT, "scripts/provide-actionlint.sh")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  actionlint = out.trim().split("\n").pop() ?? "";
}, 600_000);

const lint = (workflowFiles: readonly string[]): { status: number | null; output: string } => {
  const r = spawnSync(actionlint, ["-no-color", ...workflowFiles], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};

describe("GitHub Actions workflows", () => {
  it("are actionlint clean", () => {
    expect(files).toEqual(expect.arrayContaining(["deploy.yml", "pull-request.yml"]));
    const r = lint(files.map((f) => path.join(WORKFLOWS, f)));
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("actionlint fails a broken workflow", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "regionctl-actionlint-"));
    const bad = path.join(dir, "bad.yml");
    writeFileSync(
      bad,
      "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope.nope }}\n        if: always(\n",
    );
    const r = lint([bad]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("bad.yml");
  });

  it("use Node 22", () => {
    for (const f of files)
      for (const job of Object.values(load(f).jobs))
        for (const step of job.steps.filter((s) => s.uses?.startsWith("actions/setup-node") === true))
          expect(step.with?.["node-version"]).toBe(22);
  });

  it("give the Pulumi token only to the steps that run the engine", () => {
    for (const f of files) {
      const wf = load(f);
      expect(JSON.stringify(wf.env ?? {})).not.toContain("PULUMI_ACCESS_TOKEN");
      for (const job of Object.values(wf.jobs)) {
        expect(JSON.stringify(job.env ?? {})).not.toContain("PULUMI_ACCESS_TOKEN");
        for (const step of job.steps) {
          const hasToken = step.env?.PULUMI_ACCESS_TOKEN !== undefined;
          const runsEngine = /regionctl (deploy|abort)|pulumi (preview|up)/.test(step.run ?? "");
          expect({ step: step.name ?? step.uses ?? step.run, hasToken }).toEqual({
            step: step.name ?? step.uses ?? step.run,
            hasToken: runsEngine,
          });
        }
      }
    }
  });

  it("deploy: a shared state store, kube credentials, abort and status when cancelled", () => {
    const steps = load("deploy.yml").jobs.deploy.steps;
    const index = (re: RegExp): number => steps.findIndex((s) => re.test(s.run ?? ""));
    const deploy = index(/regionctl deploy .*--json/);
    expect(index(/require-shared-state/)).toBeGreaterThanOrEqual(0);
    expect(index(/require-shared-state/)).toBeLessThan(deploy);
    expect(index(/aws eks update-kubeconfig/)).toBeLessThan(deploy);
    const abort = steps[index(/regionctl abort/)];
    expect(abort.if).toBe("cancelled()");
    expect(steps[index(/regionctl status/)].if).toBe("always()");
  });

  it("pull request: regionctl validate and pulumi preview with the policy pack", () => {
    const runs = Object.values(load("pull-request.yml").jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    expect(runs.some((r) => r.includes("regionctl validate"))).toBe(true);
    expect(runs.some((r) => /pulumi preview .*--policy-pack policy/.test(r))).toBe(true);
  });
});
