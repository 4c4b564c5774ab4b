import { specialResourceSig, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/**
 * Turns a property value as it travels over the resource monitor's wire into what the analyzer
 * hands a policy: secrets unwrapped (their paths kept aside), resource references reduced to the
 * id (custom resources) or URN (components), as the engine does for consumers without references.
 */
export function decodeProperties(raw: Record<string, unknown>): {
  value: Record<string, unknown>;
  secretPaths: string[];
} {
  const secretPaths: string[] = [];
  const value: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    value[key] = decode(v, key, secretPaths);
  }
  return { value, secretPaths };
}

function decode(v: unknown, path: string, secretPaths: string[]): unknown {
  if (Array.isArray(v)) return v.map((x, i) => decode(x, `${path}[${i}]`, secretPaths));
  if (typeof v !== "object" || v === null) return v;
  const o = v as Record<string, unknown>;
  if (o[specialSigKey] === specialSecretSig) {
    secretPaths.push(path);
    return decode(o.value, path, secretPaths);
  }
  if (o[specialSigKey] === specialResourceSig) {
    return typeof o.id === "string" && o.id !== "" ? o.id : o.urn;
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x, `${path}.${k}`, secretPaths)]));
}
