import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type EnvironmentConfig, rawConfigFromStackConfig, validateConfig } from "./config";

/**
 * Turns the engine's config map (every value a string; objects and lists as JSON) into the raw
 * object validateConfig takes. Scalars stay strings, so a mistyped scalar is reported, not coerced.
 */
export function rawConfigFromEngineConfig(
  engineConfig: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(engineConfig)) {
    decoded[key] = decodeStructured(value);
  }
  return rawConfigFromStackConfig(decoded);
}

function decodeStructured(value: string): unknown {
  const head = value.trimStart()[0];
  if (head !== "{" && head !== "[") {
    return value;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * Reads and validates the stack's `regionctl:` config. On any problem it throws a RunError that
 * lists every problem by key, which Pulumi prints without a stack trace.
 */
export function readStackConfig(): EnvironmentConfig {
  const result = validateConfig(rawConfigFromEngineConfig(pulumi.runtime.allConfig()));
  if (!result.ok) {
    throw new pulumi.RunError(
      `${new ConfigError(result.issues).message}\n(fix these keys in Pulumi.${pulumi.getStack()}.yaml)`,
    );
  }
  return result.config;
}
