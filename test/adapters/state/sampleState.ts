import { parseConfig } from "../../../components/config";
import { initialState, type OperationalState } from "../../../components/operationalState";

/** A valid three-region state; `note` on us-west-2 tells documents apart. */
export function sampleState(note: string | null = null): OperationalState {
  const config = parseConfig({
    environment: "dev",
    writer: "us-east-1",
    regions: ["us-east-1", "us-west-2", "eu-west-1"].map((region) => ({
      region,
      endpoint: `app.${region}.dev.example.com`,
      vpcId: "vpc-0123456789abcdef0",
      subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      kubeContext: region,
      clusterName: region,
      clusterSecurityGroupId: "sg-0123456789abcdef0",
      certificateArn: `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000001`,
    })),
    database: { engine: "aurora-postgresql", engineVersion: "16.4", instanceClass: "db.r6g.large" },
    dns: { zoneId: "Z0123456789ABCDEFGHIJ", name: "app.dev.example.com" },
    app: { image: "registry.example/app", version: "1.4.1" },
    sync: { image: "registry.example/sync" },
  });
  const state = initialState(config);
  return { ...state, regions: { ...state.regions, "us-west-2": { ...state.regions["us-west-2"], note } } };
}
