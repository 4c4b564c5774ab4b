/** The account id every mocked ARN carries. */
export const MOCK_ACCOUNT = "123456789012";

/**
 * Computed outputs a real provider would return, enough for the program's own outputs and for the
 * policies that read them (a KMS key's ARN names the region it was created in).
 */
export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
): Record<string, unknown> {
  const str = (v: unknown, fallback: string): string => (typeof v === "string" && v !== "" ? v : fallback);
  switch (type) {
    case "aws:kms/key:Key":
      return { arn: `arn:aws:kms:${region}:${MOCK_ACCOUNT}:key/${name}`, keyId: `${name}-key-id` };
    case "aws:rds/globalCluster:GlobalCluster": {
      const id = str(inputs.globalClusterIdentifier, name);
      return {
        arn: `arn:aws:rds::${MOCK_ACCOUNT}:global-cluster:${id}`,
        endpoint: `${id}.global-mock.global.rds.amazonaws.com`,
      };
    }
    case "aws:rds/cluster:Cluster": {
      const id = str(inputs.clusterIdentifier, name);
      return {
        arn: `arn:aws:rds:${region}:${MOCK_ACCOUNT}:cluster:${id}`,
        endpoint: `${id}.cluster-mock.${region}.rds.amazonaws.com`,
        readerEndpoint: `${id}.cluster-ro-mock.${region}.rds.amazonaws.com`,
      };
    }
    case "aws:rds/subnetGroup:SubnetGroup":
    case "aws:rds/clusterParameterGroup:ClusterParameterGroup":
      return {
        name: str(inputs.name, `${name}-generated`),
        arn: `arn:aws:rds:${region}:${MOCK_ACCOUNT}:${name}`,
      };
    case "aws:secretsmanager/secret:Secret":
      return {
        arn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:${str(inputs.name, name)}-AbCdEf`,
      };
    case "aws:route53/record:Record":
      return { fqdn: inputs.name };
    case "kubernetes:core/v1:Service":
      return loadBalancerStatus(name, inputs);
    case "pulumi:pulumi:StackReference":
      // Offline there is no checkpoint: the stack reads as never deployed.
      return { outputs: {}, secretOutputNames: [] };
    case "random:index/randomPassword:RandomPassword":
      // Long enough that a policy looking for the password elsewhere cannot match by accident.
      return { result: `offline-${name}-`.padEnd(Math.max(Number(inputs.length ?? 16), 24), "x") };
    default:
      return type.startsWith("aws:") ? { arn: `arn:aws:mock:${region}:${MOCK_ACCOUNT}:${name}` } : {};
  }
}

/** The address the load balancer controller gives a LoadBalancer Service once its NLB exists. */
export function loadBalancerStatus(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const spec = inputs.spec as { type?: unknown } | undefined;
  if (spec?.type !== "LoadBalancer") return {};
  return {
    status: { loadBalancer: { ingress: [{ hostname: `${name}-0123456789abcdef.elb.amazonaws.com` }] } },
  };
}
