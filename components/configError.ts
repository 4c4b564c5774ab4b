/**
 * A config's problems, each named by its key path. Apart from the schema, so that reporting a bad
 * config (the CLI's error handling) does not load the validator and its libraries.
 */

/** One problem with a config, named by its key path as users write it (`regionctl:dns.ttl`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid regionctl config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}
