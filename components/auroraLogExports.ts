import type { EnvironmentConfig } from "./config";

/**
 * The logs each member cluster exports to CloudWatch Logs, so they outlive the instances and are
 * there to explain a failover: the PostgreSQL log, or MySQL's error and slow-query logs.
 */
export function auroraLogExports(engine: EnvironmentConfig["database"]["engine"]): string[] {
  return engine === "aurora-postgresql" ? ["postgresql"] : ["error", "slowquery"];
}
