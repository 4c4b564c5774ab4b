import { describe, expect, it } from "vitest";
import type { DatabaseSecretStore } from "../../automation/ports";

/** The behaviour every DatabaseSecretStore must have, on Secrets Manager (moto) and the memory fake. */
export interface DatabaseSecretFixture {
  /** A store over a secret whose current value is `initial`. */
  open(initial: string): Promise<{ secret: DatabaseSecretStore; read(): Promise<string> }>;
}

const DOCUMENT = {
  engine: "aurora-postgresql",
  username: "regionctl_admin",
  password: "the-old-password",
  host: "dev-global.global-abc.global.rds.amazonaws.com",
  port: 5432,
  globalClusterIdentifier: "dev-global",
};

export function databaseSecretContract(name: string, fixture: DatabaseSecretFixture): void {
  describe(`${name}: DatabaseSecretStore contract`, () => {
    it("replaces the password and keeps every other field", async () => {
      const { secret, read } = await fixture.open(JSON.stringify(DOCUMENT));
      await secret.putPassword("the-new-password");
      expect(JSON.parse(await read())).toEqual({ ...DOCUMENT, password: "the-new-password" });
    });

    it("refuses a secret that is not a JSON object, and leaves it as it was", async () => {
      for (const initial of ["not json", "[1,2]"]) {
        const { secret, read } = await fixture.open(initial);
        await expect(secret.putPassword("the-new-password")).rejects.toThrow(/JSON/);
        expect(await read()).toBe(initial);
      }
    });

    it("names where it writes, and never the password", async () => {
      const { secret } = await fixture.open(JSON.stringify(DOCUMENT));
      expect(secret.location).not.toBe("");
      await secret.putPassword("the-new-password");
      expect(secret.location).not.toContain("the-new-password");
    });
  });
}
