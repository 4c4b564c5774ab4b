/**
 * Pulumi type tokens the policies look at. Matching on tokens instead of `args.isType(aws.rds.Cluster)`
 * keeps the pack from loading the AWS and Kubernetes SDKs, which makes `pulumi preview --policy-pack`
 * start in seconds.
 */
export const T = {
  awsProvider: "pulumi:providers:aws",
  kubernetesProvider: "pulumi:providers:kubernetes",
  stack: "pulumi:pulumi:Stack",
  regionStack: "regionctl:index:RegionStack",
  rdsCluster: "aws:rds/cluster:Cluster",
  rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  rdsInstance: "aws:rds/instance:Instance",
  rdsGlobalCluster: "aws:rds/globalCluster:GlobalCluster",
  kmsKey: "aws:kms/key:Key",
  kmsReplicaKey: "aws:kms/replicaKey:ReplicaKey",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  securityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  route53Record: "aws:route53/record:Record",
  route53HealthCheck: "aws:route53/healthCheck:HealthCheck",
  randomPassword: "random:index/randomPassword:RandomPassword",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  secretRotation: "aws:secretsmanager/secretRotation:SecretRotation",
  deployment: "kubernetes:apps/v1:Deployment",
  cronJob: "kubernetes:batch/v1:CronJob",
} as const;
