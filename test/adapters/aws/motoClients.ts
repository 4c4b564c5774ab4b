import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import {
  type RegionalClients,
  createRegionalClients,
} from "../../../automation/adapters/aws/regionalClients";

/** Clients for the moto server the test setup started, with dummy credentials. */
export function motoClients(): RegionalClients {
  return createRegionalClients({
    endpoint: inject("motoEndpoint"),
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    maxAttempts: 2,
  });
}

/** Moto keeps one account for the whole run: every test names its resources uniquely. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}
