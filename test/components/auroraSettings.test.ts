import { describe, expect, it } from "vitest";
import {
  clusterParameterFamily,
  databaseSecretName,
  enginePort,
  instanceIdentifiers,
  rpoParameters,
} from "../../components/auroraSettings";
import { validConfig } from "./helpers/environmentFixture";

describe("auroraSettings (pure)", () => {
  it("derives parameter group families from engine versions", () => {
    expect(clusterParameterFamily("aurora-postgresql", "16.4")).toBe("aurora-postgresql16");
    expect(clusterParameterFamily("aurora-postgresql", "13.12")).toBe("aurora-postgresql13");
    expect(clusterParameterFamily("aurora-postgresql", "9.6.22")).toBe("aurora-postgresql9.6");
    expect(clusterParameterFamily("aurora-mysql", "8.0.mysql_aurora.3.05.2")).toBe("aurora-mysql8.0");
    expect(clusterParameterFamily("aurora-mysql", "5.7.mysql_aurora.2.11.2")).toBe("aurora-mysql5.7");
    expect(() => clusterParameterFamily("aurora-postgresql", "latest")).toThrow(/database.engineVersion/);
  });

  it("sets the managed RPO only for aurora-postgresql with rpoSeconds", () => {
    const db = validConfig().database;
    expect(rpoParameters({ ...db, rpoSeconds: 45 })).toEqual([
      { name: "rds.global_db_rpo", value: "45", applyMethod: "immediate" },
    ]);
    expect(rpoParameters({ ...db, rpoSeconds: undefined })).toBeNull();
    expect(rpoParameters({ ...db, engine: "aurora-mysql", rpoSeconds: 45 })).toBeNull();
  });

  it("names ports, instances and the secret", () => {
    expect(enginePort("aurora-postgresql")).toBe(5432);
    expect(enginePort("aurora-mysql")).toBe(3306);
    expect(instanceIdentifiers("dev-us-east-1", 3)).toEqual([
      "dev-us-east-1-1",
      "dev-us-east-1-2",
      "dev-us-east-1-3",
    ]);
    expect(databaseSecretName("prod")).toBe("regionctl/prod/database");
  });
});
