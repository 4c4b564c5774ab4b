import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import type { ZodTypeAny } from "zod";
import { AWS_REGIONS, environmentConfigSchema } from "../components/config";

/**
 * Writes docs/config.md, the config reference, from the zod schema in components/config.ts: every
 * key with its type, default and limits read from the schema itself, and its description from the
 * doc comment above it in the source. `--check` exits 1 when the file on disk differs, which is how
 * the test keeps the reference in step with the schema.
 *
 *   node bin/run-ts.js scripts/gen-config-docs.ts [--check] [--file docs/config.md]
 */

const ROOT = path.resolve(__dirname, "..");
const SOURCE = path.join(ROOT, "components/config.ts");
export const CONFIG_DOC = path.join(ROOT, "docs/config.md");

/** Meanings for keys whose schema entry carries no doc comment; a comment in the schema wins. */
const FALLBACK: Record<string, string> = {
  environment: "The environment's name: names resources, the Kubernetes namespace and the state document.",
  writer: "The region that writes when the environment is created; afterwards the operational state decides.",
  regions: "The regions the application runs in, each with its network and Kubernetes access.",
  "regions.region": `An AWS region: ${AWS_REGIONS.length} commercial regions are known (an unknown name is almost always a typo).`,
  "regions.vpcId": "The VPC of the region's database and application.",
  "regions.subnetIds": "Private subnets for the database, in at least 2 availability zones.",
  database: "The Aurora global database.",
  "database.engine": "Aurora engine.",
  "database.engineVersion": "Engine version, the same in every region.",
  "database.instanceClass": "Instance class of every cluster instance.",
  dns: "Route 53: the hosted zone, the global name, routing and health checks.",
  "dns.zoneId": "Hosted zone ID of the zone that holds `dns.name`.",
  "dns.healthCheck": "Route 53 health checks of each region's endpoint, and the controller's own probes.",
  app: "The application on each region's Kubernetes cluster.",
  "app.image": "Container image, without a tag: the tag is the version.",
  "app.version":
    "The version the environment should run; `regionctl deploy` promotes a new one region by region.",
  "app.memoryRequest": "Memory request per pod.",
  "app.cpuLimit": "CPU limit per pod.",
  "app.memoryLimit": "Memory limit per pod.",
  sync: "The data-sync job, a Kubernetes CronJob in every secondary region.",
  "sync.image": "Container image of the sync job.",
  release: "How `regionctl deploy` promotes a version: strategy, gates, canary analysis.",
  failover: "How the watcher judges health and fails over.",
  "failover.flapWindowSeconds": "Window in which health transitions count towards flapping. Default 600.",
  stateStore:
    "Where the controller keeps the operational state and the lease. The file store suits one machine; CI and teams need a shared store.",
  "stateStore.kind": "Which store.",
  "stateStore.directory": "Folder of the state document, relative to the project.",
  "stateStore.bucket": "Bucket of the state document; turn on versioning to keep every past state.",
  "stateStore.region": "Region of the bucket. Default: the AWS SDK's (`AWS_REGION`, profile).",
};

interface Row {
  readonly key: string;
  readonly type: string;
  readonly defaultValue: string;
  readonly description: string;
}

/** Doc comments of object properties, by key path, following schema variables by name. */
function docComments(): Map<string, string> {
  const text = readFileSync(SOURCE, "utf8");
  const file = ts.createSourceFile(SOURCE, text, ts.ScriptTarget.Latest, true);
  const variables = new Map<string, ts.Expression>();
  file.forEachChild((node) => {
    if (!ts.isVariableStatement(node)) return;
    for (const d of node.declarationList.declarations)
      if (ts.isIdentifier(d.name) && d.initializer !== undefined) variables.set(d.name.text, d.initializer);
  });
  const out = new Map<string, string>();
  const visit = (node: ts.Node, prefix: string, seen: ReadonlySet<string>): void => {
    if (
      ts.isObjectLiteralExpression(node) &&
      ts.isCallExpression(node.parent) &&
      /\bz\s*\.\s*object$/.test(node.parent.expression.getText())
    ) {
      for (const p of node.properties) {
        if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) continue;
        const key = `${prefix}${p.name.text}`;
        const doc = ts
          .getJSDocCommentsAndTags(p)
          .map((d) => (typeof d.comment === "string" ? d.comment : ""))
          .join(" ")
          .trim();
        if (doc !== "" && !out.has(key)) out.set(key, doc.replace(/\s+/g, " "));
        visit(p.initializer, `${key}.`, seen);
      }
      return;
    }
    if (ts.isIdentifier(node) && variables.has(node.text) && !seen.has(node.text)) {
      visit(variables.get(node.text) as ts.Expression, prefix, new Set([...seen, node.text]));
      return;
    }
    node.forEachChild((child) => visit(child, prefix, seen));
  };
  visit(variables.get("environmentConfigSchema") as ts.Expression, "", new Set());
  return out;
}

// zod 3 keeps each schema's shape and checks in `_def`; the fields read here are part of its types.
type Def = {
  typeName: string;
  innerType?: ZodTypeAny;
  schema?: ZodTypeAny;
  type?: ZodTypeAny;
  values?: readonly string[];
  value?: unknown;
  options?: readonly ZodTypeAny[];
  checks?: readonly { kind: string; value?: unknown; regex?: RegExp; inclusive?: boolean }[];
  minLength?: { value: number } | null;
  maxLength?: { value: number } | null;
  defaultValue?: () => unknown;
};
const def = (s: ZodTypeAny): Def => s._def as Def;

/** Strips optional, default and refinement wrappers; reports what they said. */
function unwrap(s: ZodTypeAny): { core: ZodTypeAny; optional: boolean; defaultValue?: unknown } {
  let core = s;
  let optional = false;
  let defaultValue: unknown;
  for (;;) {
    const d = def(core);
    if (d.typeName === "ZodOptional" && d.innerType !== undefined) {
      optional = true;
      core = d.innerType;
    } else if (d.typeName === "ZodDefault" && d.innerType !== undefined && d.defaultValue !== undefined) {
      defaultValue ??= d.defaultValue();
      core = d.innerType;
    } else if (d.typeName === "ZodEffects" && d.schema !== undefined) core = d.schema;
    else return { core, optional, defaultValue };
  }
}

function checksText(d: Def): string {
  const parts: string[] = [];
  for (const c of d.checks ?? []) {
    if (c.kind === "int") parts.push("whole");
    else if (c.kind === "min")
      parts.push(`${d.typeName === "ZodString" ? "length " : ""}≥ ${String(c.value)}`);
    else if (c.kind === "max")
      parts.push(`${d.typeName === "ZodString" ? "length " : ""}≤ ${String(c.value)}`);
    else if (c.kind === "regex" && c.regex !== undefined) parts.push(`matches \`${c.regex.source}\``);
    else if (c.kind === "startsWith") parts.push(`starts with \`${String(c.value)}\``);
  }
  for (const c of d.checks ?? []) {
    if (c.kind === "min" && c.inclusive === false)
      parts.splice(parts.indexOf(`≥ ${String(c.value)}`), 1, `> ${String(c.value)}`);
    if (c.kind === "max" && c.inclusive === false)
      parts.splice(parts.indexOf(`≤ ${String(c.value)}`), 1, `< ${String(c.value)}`);
  }
  return parts.join(", ");
}

function typeText(s: ZodTypeAny): string {
  const { core } = unwrap(s);
  const d = def(core);
  const limits = checksText(d);
  const withLimits = (t: string): string => (limits === "" ? t : `${t} (${limits})`);
  switch (d.typeName) {
    case "ZodString":
      return withLimits("string");
    case "ZodNumber":
      return withLimits(d.checks?.some((c) => c.kind === "int") === true ? "integer" : "number")
        .replace("whole, ", "")
        .replace(" (whole)", "");
    case "ZodBoolean":
      return "boolean";
    case "ZodEnum":
      return (d.values ?? []).map((v) => `\`${v}\``).join(" \\| ");
    case "ZodLiteral":
      return `\`${String(d.value)}\``;
    case "ZodArray": {
      const n = [
        d.minLength === null || d.minLength === undefined ? "" : `≥ ${d.minLength.value}`,
        d.maxLength === null || d.maxLength === undefined ? "" : `≤ ${d.maxLength.value}`,
      ].filter((x) => x !== "");
      return `list of ${typeText(d.type as ZodTypeAny)}${n.length === 0 ? "" : ` (${n.join(", ")} items)`}`;
    }
    case "ZodObject":
      return "object";
    case "ZodUnion":
      return (d.options ?? [])
        .map((o) => (def(unwrap(o).core).typeName === "ZodObject" ? "a secret (`secure:`)" : typeText(o)))
        .join(" or ");
    case "ZodDiscriminatedUnion":
      return "object, by `kind`";
    default:
      return d.typeName.replace(/^Zod/, "").toLowerCase();
  }
}

const defaultText = (v: unknown, optional: boolean): string => {
  if (v === undefined) return optional ? "unset" : "required";
  if (typeof v === "object" && v !== null && Object.keys(v).length === 0) return "every field defaulted";
  return `\`${JSON.stringify(v)}\``;
};

function describe(fullKey: string, docs: ReadonlyMap<string, string>): string {
  const key = fullKey.replace(/^regionctl:/, "").replace(/\[\]/g, "");
  return docs.get(key) ?? FALLBACK[key] ?? "";
}

function rows(schema: ZodTypeAny, prefix: string, docs: ReadonlyMap<string, string>, out: Row[]): void {
  const { core } = unwrap(schema);
  const d = def(core);
  if (d.typeName === "ZodArray" && d.type !== undefined) {
    rows(d.type, `${prefix}[]`, docs, out);
    return;
  }
  if (d.typeName === "ZodDiscriminatedUnion") {
    const kinds = (d.options ?? []).map(
      (o) => def(unwrap((o as unknown as { shape: Record<string, ZodTypeAny> }).shape.kind).core).value,
    );
    out.push({
      key: `${prefix}.kind`,
      type: kinds.map((k) => `\`${String(k)}\``).join(" \\| "),
      defaultValue: "required",
      description: describe(`${prefix}.kind`, docs),
    });
    for (const option of d.options ?? []) {
      const kind = def(
        unwrap((option as unknown as { shape: Record<string, ZodTypeAny> }).shape.kind).core,
      ).value;
      for (const [key, field] of Object.entries(
        (option as unknown as { shape: Record<string, ZodTypeAny> }).shape,
      )) {
        if (key === "kind") continue;
        const u = unwrap(field);
        out.push({
          key: `${prefix}.${key}`,
          type: `${typeText(field)}, with \`kind: ${String(kind)}\``,
          defaultValue: defaultText(u.defaultValue, u.optional),
          description: describe(`${prefix}.${key}`, docs),
        });
      }
    }
    return;
  }
  if (d.typeName !== "ZodObject") return;
  const shape = (core as unknown as { shape: Record<string, ZodTypeAny> }).shape;
  for (const [key, field] of Object.entries(shape)) {
    if (key === "awsRegion") continue;
    const full = prefix === "" ? `regionctl:${key}` : `${prefix}.${key}`;
    const u = unwrap(field);
    out.push({
      key: full,
      type: typeText(field),
      defaultValue: defaultText(u.defaultValue, u.optional),
      description: describe(full, docs),
    });
    rows(field, full, docs, out);
  }
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\\\\\|/g, "\\|");

export function configDoc(): string {
  const docs = docComments();
  const all: Row[] = [];
  rows(environmentConfigSchema, "", docs, all);
  const lines = [
    "# Config reference",
    "",
    "<!-- Generated by scripts/gen-config-docs.ts from the schema in components/config.ts; do not edit by hand. Regenerate with `npm run docs:config`. -->",
    "",
    "Every key lives under the `regionctl:` namespace of `Pulumi.<env>.yaml` (see `Pulumi.dev.yaml` and `Pulumi.prod.yaml`), except `aws:region`, the region of the provider for the global pieces (default: the writer).",
    "Nested keys are set with `--path`: `pulumi config set --path 'regionctl:release.maxParallel' 2`.",
    "Validation reports every problem at once, each with its key path, for example `regionctl:dns.ttl: health-checked records need a TTL of 60 s or less`; `regionctl validate` runs it without the Pulumi engine.",
    "",
    "Checks across keys: 2 to 11 regions (one writer and up to 10 secondaries, the Aurora global database limit), no region twice, the writer among the regions, each region with `kubeconfig` or `kubeContext`, each region's `certificateArn` from that region, `database.rpoSeconds` only with `aurora-postgresql`, and `controlPlane.watchers` each once and among the regions, with an `image`, a shared state store (`s3` or `dynamodb`; a file store only at an absolute path, such as a shared volume) and a namespace other than the app's.",
    "",
    "| key | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...all.map(
      (r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.defaultValue)} | ${cell(r.description)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

// Run as a script (bin/run-ts.js puts the entry point in argv[1]), not when a test imports it.
if (process.argv[1] === __filename) {
  const text = configDoc();
  const fileFlag = process.argv.indexOf("--file");
  const target = fileFlag === -1 ? CONFIG_DOC : path.resolve(process.argv[fileFlag + 1] ?? "");
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(target, "utf8");
    } catch {
      // A missing file is out of date too.
    }
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), target)} is out of date: run npm run docs:config`);
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.error(`wrote ${path.relative(process.cwd(), target)}`);
  }
}
