import { describe, expect, it } from "vitest";
import type { MemberClusters } from "../../automation/ports";

/**
 * The behaviour every MemberClusters implementation must have, run against the RDS adapter on
 * moto and the memory fake.
 */
export interface MemberClustersFixture {
  readonly clusters: MemberClusters;
  /** A region whose cluster has a parameter group of its own with the guard at `initialGuard`. */
  readonly region: string;
  readonly initialGuard: number;
  /** A region with no cluster of this environment. */
  readonly missingRegion: string;
  /** Lets the time pass that a password change takes to apply. */
  settle(): Promise<void>;
}

export function memberClustersContract(name: string, setup: () => Promise<MemberClustersFixture>): void {
  describe(`${name}: MemberClusters contract`, () => {
    it("describes a cluster: available, no password pending, the guard its parameter group sets", async () => {
      const f = await setup();
      expect(await f.clusters.describe(f.region)).toEqual({
        status: "available",
        passwordPending: false,
        rpoGuardSeconds: f.initialGuard,
      });
    });

    it("sets the master password, and the cluster is available again with nothing pending once applied", async () => {
      const f = await setup();
      await f.clusters.setMasterPassword(f.region, "a-new-password-1234567890");
      await f.settle();
      const after = await f.clusters.describe(f.region);
      expect([after.status, after.passwordPending]).toEqual(["available", false]);
    });

    it("sets the managed-RPO guard in the cluster's own parameter group, and back", async () => {
      const f = await setup();
      await f.clusters.setRpoGuard(f.region, 86_400);
      expect((await f.clusters.describe(f.region)).rpoGuardSeconds).toBe(86_400);
      await f.clusters.setRpoGuard(f.region, f.initialGuard);
      expect((await f.clusters.describe(f.region)).rpoGuardSeconds).toBe(f.initialGuard);
    });

    it("fails on a region that has no cluster, for every call", async () => {
      const f = await setup();
      await expect(f.clusters.describe(f.missingRegion)).rejects.toThrow(/not found/);
      await expect(f.clusters.setMasterPassword(f.missingRegion, "a-new-password-123")).rejects.toThrow();
      await expect(f.clusters.setRpoGuard(f.missingRegion, 60)).rejects.toThrow();
    });
  });
}
