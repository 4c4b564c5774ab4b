package main

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// replacementSet lists the input paths ("name", "metadata.namespace") whose
// change a provider can only apply by replacing the resource.
type replacementSet []string

// resourceReplacements holds, for the resource types regionctl's program
// creates, the inputs the real providers document as forcing a replacement
// (ForceNew in the Terraform AWS provider's schemas, an object's name and
// namespace in Kubernetes). It is a curated subset, not the providers'
// schemas: a type or input missing here is updated in place.
var resourceReplacements = map[string]replacementSet{
	"aws:dynamodb/table:Table":                                  {"name", "hashKey", "rangeKey"},
	"aws:ec2/securityGroup:SecurityGroup":                       {"name", "namePrefix", "description", "vpcId"},
	"aws:kms/alias:Alias":                                       {"name", "namePrefix"},
	"aws:kms/key:Key":                                           {"customerMasterKeySpec", "keySpec", "multiRegion"},
	"aws:rds/cluster:Cluster":                                   {"clusterIdentifier", "clusterIdentifierPrefix", "engine", "engineMode", "databaseName", "dbSubnetGroupName", "kmsKeyId", "masterUsername", "storageEncrypted", "availabilityZones", "snapshotIdentifier", "sourceRegion"},
	"aws:rds/clusterInstance:ClusterInstance":                   {"identifier", "identifierPrefix", "clusterIdentifier", "engine", "dbSubnetGroupName", "availabilityZone"},
	"aws:rds/clusterParameterGroup:ClusterParameterGroup":       {"name", "namePrefix", "family", "description"},
	"aws:rds/globalCluster:GlobalCluster":                       {"globalClusterIdentifier", "engine", "databaseName", "sourceDbClusterIdentifier", "storageEncrypted"},
	"aws:rds/subnetGroup:SubnetGroup":                           {"name", "namePrefix"},
	"aws:route53/healthCheck:HealthCheck":                       {"type", "requestInterval", "measureLatency", "referenceName"},
	"aws:route53/record:Record":                                 {"zoneId", "name", "setIdentifier"},
	"aws:secretsmanager/secret:Secret":                          {"name", "namePrefix"},
	"aws:secretsmanager/secretVersion:SecretVersion":            {"secretId"},
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {"securityGroupId"},
}

// kubernetesReplacements apply to every Kubernetes object: one is named by
// its name and namespace, and a Deployment's selector cannot change.
var kubernetesReplacements = replacementSet{"metadata.name", "metadata.namespace", "spec.selector"}

// providerReplacements name the provider inputs that move every resource of
// the provider elsewhere, which replaces them all.
var providerReplacements = map[string]replacementSet{
	"aws":        {"region"},
	"kubernetes": {"kubeconfig", "context", "cluster"},
}

func replacementsOf(t tokens.Type) replacementSet {
	if strings.HasPrefix(string(t), "kubernetes:") {
		return kubernetesReplacements
	}
	return resourceReplacements[string(t)]
}

// isRandom: every input of a random resource fixes its value, so any change
// replaces it.
func isRandom(t tokens.Type) bool { return strings.HasPrefix(string(t), "random:") }

// requires reports whether the change of key k from o to n hits one of the
// set's paths.
func (s replacementSet) requires(k resource.PropertyKey, o, n resource.PropertyValue) bool {
	for _, path := range s {
		head, rest, nested := strings.Cut(path, ".")
		if head != string(k) {
			continue
		}
		if !nested {
			return true
		}
		ov, nv := at(o, rest), at(n, rest)
		if nv.ContainsUnknowns() || !ov.DeepEquals(nv) {
			return true
		}
	}
	return false
}

// at follows a dotted path through objects (and secrets around them); a
// missing step or an unknown object yields that value.
func at(v resource.PropertyValue, path string) resource.PropertyValue {
	for _, key := range strings.Split(path, ".") {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsComputed() || !v.IsObject() {
			return v
		}
		v = v.ObjectValue()[resource.PropertyKey(key)]
	}
	return v
}
