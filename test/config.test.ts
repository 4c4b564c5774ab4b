import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  DEFAULT_SYNC_SCHEDULE,
  MAX_REGIONS,
  parseConfig,
  rawConfigFromStackConfig,
  regionPriority,
  validateConfig,
} from "../components/config";
import {
  type RawConfig,
  TEST_REGIONS,
  rawConfig,
  rawRegion,
  withPatch,
} from "./components/helpers/environmentFixture";

interface InvalidCase {
  readonly what: string;
  readonly patch: (c: RawConfig) => void;
  /** The key path the problem must be reported at. */
  readonly key: string;
  /** What the message must say. */
  readonly message: RegExp;
}

const INVALID: readonly InvalidCase[] = [
  {
    what: "an unknown region",
    patch: (c) => (c.regions[1].region = "us-west-9"),
    key: "regionctl:regions[1].region",
    message: /unknown AWS region/,
  },
  {
    what: "a duplicate region",
    patch: (c) => (c.regions[2].region = "us-east-1"),
    key: "regionctl:regions[2].region",
    message: /duplicate region us-east-1/,
  },
  {
    what: "a writer that is not among the regions",
    patch: (c) => (c.writer = "ap-south-1"),
    key: "regionctl:writer",
    message: /ap-south-1 is not among the regions/,
  },
  {
    what: "fewer than 2 regions",
    patch: (c) => (c.regions = c.regions.slice(0, 1)),
    key: "regionctl:regions",
    message: /2 to 11 regions.*got 1/,
  },
  {
    what: "more than 11 regions",
    patch: (c) => (c.regions = TEST_REGIONS.slice(0, MAX_REGIONS + 1).map(rawRegion)),
    key: "regionctl:regions",
    message: /2 to 11 regions.*got 12/,
  },
  {
    what: "a health-check interval other than 10 or 30",
    patch: (c) => (c.dns.healthCheck.intervalSeconds = 20),
    key: "regionctl:dns.healthCheck.intervalSeconds",
    message: /10 or 30/,
  },
  {
    what: "a health-check failure threshold above 10",
    patch: (c) => (c.dns.healthCheck.failureThreshold = 11),
    key: "regionctl:dns.healthCheck.failureThreshold",
    message: /10/,
  },
  {
    what: "a health-check failure threshold below 1",
    patch: (c) => (c.dns.healthCheck.failureThreshold = 0),
    key: "regionctl:dns.healthCheck.failureThreshold",
    message: /1/,
  },
  {
    what: "a failover failure threshold outside 1..10",
    patch: (c) => (c.failover.failureThreshold = 12),
    key: "regionctl:failover.failureThreshold",
    message: /10/,
  },
  {
    what: "a failover failure threshold of 1 in auto mode",
    patch: (c) => (c.failover.failureThreshold = 1),
    key: "regionctl:failover.failureThreshold",
    message: /one noisy observation would fail over a healthy writer/,
  },
  {
    what: "a TTL above 60 on health-checked records",
    patch: (c) => (c.dns.ttl = 300),
    key: "regionctl:dns.ttl",
    message: /60 s or less/,
  },
  {
    what: "rpoSeconds below 20",
    patch: (c) => (c.database.rpoSeconds = 10),
    key: "regionctl:database.rpoSeconds",
    message: /at least 20 seconds/,
  },
  {
    what: "rpoSeconds with aurora-mysql",
    patch: (c) => {
      c.database.engine = "aurora-mysql";
      c.database.engineVersion = "8.0.mysql_aurora.3.05.2";
    },
    key: "regionctl:database.rpoSeconds",
    message: /only for aurora-postgresql/,
  },
  {
    what: "canary steps that do not increase",
    patch: (c) => (c.release.canarySteps = [50, 10, 100]),
    key: "regionctl:release.canarySteps[1]",
    message: /strictly increasing/,
  },
  {
    what: "canary steps that do not end at 100",
    patch: (c) => (c.release.canarySteps = [10, 50]),
    key: "regionctl:release.canarySteps",
    message: /end at 100/,
  },
  {
    what: "a rollback error rate of 1",
    patch: (c) => (c.release.rollbackErrorRate = 1),
    key: "regionctl:release.rollbackErrorRate",
    message: /between 0 and 1/,
  },
  {
    what: "a rollback error rate of 0",
    patch: (c) => (c.release.rollbackErrorRate = 0),
    key: "regionctl:release.rollbackErrorRate",
    message: /between 0 and 1/,
  },
  {
    what: "a batch size below 1",
    patch: (c) => (c.sync.batchSize = 0),
    key: "regionctl:sync.batchSize",
    message: /at least 1/,
  },
  {
    what: "a schedule that is not cron",
    patch: (c) => (c.sync.schedule = "every 5 minutes"),
    key: "regionctl:sync.schedule",
    message: /cron/,
  },
  {
    what: "a 5-field schedule the cron parser refuses",
    patch: (c) => (c.sync.schedule = "61 * * * *"),
    key: "regionctl:sync.schedule",
    message: /5-field cron/,
  },
  {
    what: "a cron schedule with 4 fields",
    patch: (c) => (c.sync.schedule = "*/5 * * *"),
    key: "regionctl:sync.schedule",
    message: /5-field cron/,
  },
  {
    what: "a missing endpoint",
    patch: (c) => delete c.regions[0].endpoint,
    key: "regionctl:regions[0].endpoint",
    message: /endpoint is required/,
  },
  {
    what: "an endpoint with a scheme",
    patch: (c) => (c.regions[1].endpoint = "https://app.us-west-2.dev.example.com/health"),
    key: "regionctl:regions[1].endpoint",
    message: /host name/,
  },
  {
    what: "a region with neither kubeconfig nor kubeContext",
    patch: (c) => delete c.regions[1].kubeContext,
    key: "regionctl:regions[1]",
    message: /kubeconfig or kubeContext/,
  },
  {
    what: "a malformed VPC id",
    patch: (c) => (c.regions[0].vpcId = "vpc-XYZ"),
    key: "regionctl:regions[0].vpcId",
    message: /vpc-/,
  },
  {
    what: "a single subnet",
    patch: (c) => (c.regions[2].subnetIds = ["subnet-0a1b2c3d4e5f60021"]),
    key: "regionctl:regions[2].subnetIds",
    message: /at least 2 availability zones/,
  },
  {
    what: "an unknown engine",
    patch: (c) => (c.database.engine = "postgres"),
    key: "regionctl:database.engine",
    message: /aurora-postgresql/,
  },
  {
    what: "an unknown routing mode",
    patch: (c) => (c.dns.routing = "geolocation"),
    key: "regionctl:dns.routing",
    message: /failover/,
  },
  {
    what: "an unknown traffic control",
    patch: (c) => (c.dns.control = "weights"),
    key: "regionctl:dns.control",
    message: /health-check.*arc/,
  },
  {
    what: "an S3 state store without a bucket",
    patch: (c) => (c.stateStore = { kind: "s3" }),
    key: "regionctl:stateStore.bucket",
    message: /Required/,
  },
  {
    what: "a DynamoDB state store with two regions and no witness",
    patch: (c) => (c.stateStore = { kind: "dynamodb", table: "state", regions: ["us-east-1", "us-west-2"] }),
    key: "regionctl:stateStore.regions",
    message: /exactly 3 replica regions \(or 2 and a witness\), got 2/,
  },
  {
    what: "a DynamoDB state store with a region twice",
    patch: (c) =>
      (c.stateStore = { kind: "dynamodb", table: "state", regions: ["us-east-1", "us-west-2", "us-east-1"] }),
    key: "regionctl:stateStore.regions[2]",
    message: /duplicate region us-east-1/,
  },
  {
    what: "a DynamoDB state store with an unknown region",
    patch: (c) =>
      (c.stateStore = { kind: "dynamodb", table: "state", regions: ["us-east-1", "us-west-9", "us-east-2"] }),
    key: "regionctl:stateStore.regions[1]",
    message: /unknown AWS region/,
  },
  {
    what: "a DynamoDB state store across Region sets",
    patch: (c) =>
      (c.stateStore = {
        kind: "dynamodb",
        table: "state",
        regions: ["us-east-1", "us-east-2"],
        witness: "eu-west-1",
      }),
    key: "regionctl:stateStore.witness",
    message: /one Region set, got EU and US/,
  },
  {
    what: "a DynamoDB state store without a table",
    patch: (c) => (c.stateStore = { kind: "dynamodb", regions: ["us-east-1", "us-east-2", "us-west-2"] }),
    key: "regionctl:stateStore.table",
    message: /Required/,
  },
  {
    what: "a liveness path that is not a path",
    patch: (c) => (c.app.livenessPath = "livez"),
    key: "regionctl:app.livenessPath",
    message: /must start with \//,
  },
  {
    what: "an unknown top-level key",
    patch: (c) => (c.regoins = []),
    key: "regionctl",
    message: /regoins/,
  },
];

describe("the default sync schedule", () => {
  it("is one the cron parser accepts (validation takes it without loading the parser)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const parser = require("cron-parser") as typeof import("cron-parser");
    expect(() => parser.parseExpression(DEFAULT_SYNC_SCHEDULE)).not.toThrow();
    expect(parser.parseExpression(DEFAULT_SYNC_SCHEDULE).fields.minute).toHaveLength(12);
  });
});

describe("validateConfig rejects", () => {
  it("at least 15 distinct invalid configs", () => {
    expect(new Set(INVALID.map((c) => c.what)).size).toBeGreaterThanOrEqual(15);
  });

  it.each(INVALID)("$what, naming $key", ({ patch, key, message }) => {
    const result = validateConfig(withPatch(patch));
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    const at = issues.filter((i) => i.path === key);
    expect(at.map((i) => i.message).join("; ")).toMatch(message);
    expect(() => parseConfig(withPatch(patch))).toThrow(key);
  });
});

describe("validateConfig of a DynamoDB state store", () => {
  it("accepts three replicas, or two and a witness, in one Region set", () => {
    for (const stateStore of [
      { kind: "dynamodb", table: "regionctl-state", regions: ["us-east-1", "us-east-2", "us-west-2"] },
      {
        kind: "dynamodb",
        table: "regionctl-state",
        regions: ["eu-west-1", "eu-central-1"],
        witness: "eu-west-2",
      },
    ]) {
      const result = validateConfig(withPatch((c) => (c.stateStore = stateStore)));
      expect(result.ok ? result.config.stateStore : result.issues).toEqual(stateStore);
    }
  });

  it("refuses a region that supports no strong consistency, and a witness beside three replicas", () => {
    const result = validateConfig(
      withPatch(
        (c) =>
          (c.stateStore = {
            kind: "dynamodb",
            table: "regionctl-state",
            regions: ["us-east-1", "us-east-2", "us-west-1"],
            witness: "us-west-2",
          }),
      ),
    );
    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: "regionctl:stateStore.regions",
        message: "needs exactly 2 replica regions beside the witness, got 3",
      },
      {
        path: "regionctl:stateStore.regions[2]",
        message: expect.stringMatching(
          /^us-west-1 is in no Region set that supports multi-Region strong consistency/,
        ),
      },
    ]);
  });
});

describe("validateConfig", () => {
  it("accepts the issue's dev environment and fills in defaults", () => {
    const raw = rawConfig();
    delete raw.release;
    delete raw.failover;
    const result = validateConfig(raw);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.release).toMatchObject({
      strategy: "canary",
      rollbackErrorRate: 0.2,
      canarySteps: [10, 50, 100],
    });
    expect(result.config.failover).toMatchObject({ mode: "auto", failureThreshold: 3 });
    expect(result.config.stateStore).toEqual({ kind: "file", directory: ".regionctl" });
    expect(result.config.dns.healthCheck).toMatchObject({ port: 443, timeoutSeconds: 6 });
    expect(result.config.dns.control).toBe("health-check");
  });

  it("takes Route 53 ARC routing controls as the traffic control", () => {
    const raw = rawConfig();
    raw.dns.control = "arc";
    const result = validateConfig(raw);
    expect(result.ok && result.config.dns.control).toBe("arc");
  });

  it("reports every problem at once", () => {
    const raw = withPatch((c) => {
      c.dns.ttl = 120;
      c.dns.healthCheck.intervalSeconds = 15;
      c.sync.batchSize = 0;
      c.release.canarySteps = [10, 5];
      c.writer = "sa-east-1";
      c.regions[1].region = "us-east-1";
    });
    const result = validateConfig(raw);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "regionctl:dns.ttl",
        "regionctl:dns.healthCheck.intervalSeconds",
        "regionctl:sync.batchSize",
        "regionctl:release.canarySteps[1]",
        "regionctl:release.canarySteps",
        "regionctl:writer",
        "regionctl:regions[1].region",
      ]),
    );
  });

  it("lists every problem in ConfigError's message, one line per key", () => {
    const error = (() => {
      try {
        parseConfig(
          withPatch((c) => {
            c.dns.ttl = 90;
            c.sync.batchSize = -1;
          }),
        );
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toHaveLength(2);
    expect(error.message.split("\n").slice(1)).toEqual([
      expect.stringMatching(/^ {2}regionctl:dns\.ttl: /),
      expect.stringMatching(/^ {2}regionctl:sync\.batchSize: /),
    ]);
  });

  it("accepts the shipped Pulumi.dev.yaml", () => {
    const file = parseYaml(fs.readFileSync(path.resolve(__dirname, "../Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const result = validateConfig(rawConfigFromStackConfig(file.config));
    expect(result.ok ? [] : result.issues).toEqual([]);
    const config = parseConfig(rawConfigFromStackConfig(file.config));
    expect(config.regions.map((r) => r.region)).toEqual(["us-east-1", "us-west-2", "eu-west-1"]);
    expect(config.writer).toBe("us-east-1");
  });

  it("accepts a failure threshold of 1 when failover is manual (a person decides)", () => {
    const result = validateConfig(
      withPatch((c) => {
        c.failover.mode = "manual";
        c.failover.failureThreshold = 1;
      }),
    );
    expect(result.ok).toBe(true);
  });

  it("gives the writer priority 1 and the others 2 unless configured", () => {
    const config = parseConfig(withPatch((c) => (c.regions[2].priority = 5)));
    expect(regionPriority(config, "us-east-1")).toBe(1);
    expect(regionPriority(config, "us-west-2")).toBe(2);
    expect(regionPriority(config, "eu-west-1")).toBe(5);
    expect(regionPriority(config, "us-west-2", "us-west-2")).toBe(1);
  });

  it("accepts a kubeconfig given as a secure value", () => {
    const raw = withPatch((c) => {
      delete c.regions[0].kubeContext;
      c.regions[0].kubeconfig = { secure: "v1:abc" };
    });
    expect(validateConfig(raw).ok).toBe(true);
  });
});
