package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// accountID is the AWS account every ARN and canned answer names.
const accountID = "123456789012"

// outputs echoes the inputs and adds the resource's id and computed outputs.
// In the preview of a create (pending) those are unknown, as a real provider
// leaves them until the cloud answers; otherwise they are derived from the
// URN and inputs, so an update, previewed or not, keeps them as they were.
func (p *standin) outputs(
	t tokens.Type, urn resource.URN, inputs resource.PropertyMap, pending bool,
) (resource.ID, resource.PropertyMap) {
	outs := inputs.Copy()
	id, computed := p.computed(t, urn, inputs)
	for k, v := range computed {
		if _, set := outs[resource.PropertyKey(k)]; set {
			continue
		}
		pv := resource.NewPropertyValue(v)
		if t == "random:index/randomPassword:RandomPassword" {
			pv = resource.MakeSecret(pv)
		}
		if pending {
			pv = resource.MakeComputed(resource.NewProperty(""))
		}
		outs[resource.PropertyKey(k)] = pv
	}
	if pending {
		return "", outs
	}
	return resource.ID(id), outs
}

// computed returns a resource's id and the outputs the provider computes, by
// type: the ones regionctl's program reads, shaped like AWS's.
func (p *standin) computed(t tokens.Type, urn resource.URN, in resource.PropertyMap) (string, map[string]any) {
	h := digest(string(urn))
	region := p.region
	arn := func(service, res string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, accountID, res)
	}
	switch string(t) {
	case "aws:rds/globalCluster:GlobalCluster":
		id := str(in, "globalClusterIdentifier", "global-"+h[:8])
		return id, map[string]any{
			"arn":                     fmt.Sprintf("arn:aws:rds::%s:global-cluster:%s", accountID, id),
			"endpoint":                fmt.Sprintf("%s.global-%s.global.rds.amazonaws.com", id, h[:10]),
			"globalClusterResourceId": "cluster-" + h[:20],
			"globalClusterMembers":    []any{},
		}
	case "aws:rds/cluster:Cluster":
		id := str(in, "clusterIdentifier", "cluster-"+h[:8])
		return id, map[string]any{
			"arn":               arn("rds", "cluster:"+id),
			"endpoint":          fmt.Sprintf("%s.cluster-%s.%s.rds.amazonaws.com", id, h[:12], region),
			"readerEndpoint":    fmt.Sprintf("%s.cluster-ro-%s.%s.rds.amazonaws.com", id, h[:12], region),
			"clusterResourceId": "cluster-" + h[:20],
			"hostedZoneId":      "Z2R2ITUGPM61AM",
		}
	case "aws:rds/clusterInstance:ClusterInstance":
		id := str(in, "identifier", "instance-"+h[:8])
		return id, map[string]any{
			"arn":           arn("rds", "db:"+id),
			"endpoint":      fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", id, h[:12], region),
			"dbiResourceId": "db-" + h[:20],
			"writer":        false,
		}
	case "aws:kms/key:Key":
		id := uuid(h)
		return id, map[string]any{"arn": arn("kms", "key/"+id), "keyId": id}
	case "aws:kms/alias:Alias":
		name := str(in, "name", "alias/"+h[:8])
		return name, map[string]any{"arn": arn("kms", name), "targetKeyArn": arn("kms", "key/"+str(in, "targetKeyId", ""))}
	case "aws:ec2/securityGroup:SecurityGroup":
		id := "sg-" + h[:17]
		return id, map[string]any{"arn": arn("ec2", "security-group/"+id), "ownerId": accountID}
	case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
		id := "sgr-" + h[:17]
		return id, map[string]any{"arn": arn("ec2", "security-group-rule/"+id), "securityGroupRuleId": id}
	case "aws:rds/subnetGroup:SubnetGroup", "aws:rds/clusterParameterGroup:ClusterParameterGroup":
		// A name prefix gets the unique suffix AWS's provider appends (26 characters).
		name := str(in, "name", str(in, "namePrefix", "")+h[:26])
		kind := map[bool]string{true: "subgrp", false: "cluster-pg"}[t == "aws:rds/subnetGroup:SubnetGroup"]
		return name, map[string]any{"arn": arn("rds", kind+":"+name), "name": name}
	case "aws:secretsmanager/secret:Secret":
		id := arn("secretsmanager", "secret:"+str(in, "name", h[:8])+"-"+h[:6])
		return id, map[string]any{"arn": id}
	case "aws:secretsmanager/secretVersion:SecretVersion":
		version := uuid(h)
		secret := str(in, "secretId", "")
		return secret + "|" + version, map[string]any{"arn": secret, "versionId": version, "versionStages": []any{"AWSCURRENT"}}
	case "aws:route53/healthCheck:HealthCheck":
		id := uuid(h)
		return id, map[string]any{"arn": "arn:aws:route53:::healthcheck/" + id}
	case "aws:route53/record:Record":
		name := str(in, "name", "")
		id := strings.Join([]string{str(in, "zoneId", ""), name, str(in, "type", "")}, "_")
		if set := str(in, "setIdentifier", ""); set != "" {
			id += "_" + set
		}
		return id, map[string]any{"fqdn": name}
	case "aws:dynamodb/table:Table":
		name := str(in, "name", h[:8])
		return name, map[string]any{"arn": arn("dynamodb", "table/"+name)}
	case "random:index/randomId:RandomId":
		n := 8
		if v := in["byteLength"]; v.IsNumber() && int(v.NumberValue()) <= len(h)/2 {
			n = int(v.NumberValue())
		}
		bytes, _ := hex.DecodeString(h[:2*n])
		b64 := base64.RawURLEncoding.EncodeToString(bytes)
		return b64, map[string]any{
			"hex":    h[:2*n],
			"b64Url": b64,
			"b64Std": base64.StdEncoding.EncodeToString(bytes),
			"dec":    new(big.Int).SetBytes(bytes).String(),
		}
	case "random:index/randomPassword:RandomPassword":
		return "none", map[string]any{"result": password(h, in), "bcryptHash": "$2a$10$" + h[:53]}
	}
	if string(t) == "kubernetes:core/v1:Service" && str(objectAt(in, "spec"), "type", "") == "LoadBalancer" {
		// The provider waits for the load balancer and reports it in the status.
		meta := objectAt(in, "metadata")
		name, ns := str(meta, "name", h[:8]), str(meta, "namespace", "default")
		hostname := fmt.Sprintf("k8s-%s-%s-%s.elb.amazonaws.com", ns, name, h[:10])
		return ns + "/" + name, map[string]any{
			"status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"hostname": hostname}}}},
		}
	}
	if strings.HasPrefix(string(t), "kubernetes:") {
		name := str(objectAt(in, "metadata"), "name", h[:8])
		if ns := str(objectAt(in, "metadata"), "namespace", ""); ns != "" {
			return ns + "/" + name, nil
		}
		return name, nil
	}
	if strings.HasPrefix(string(t), "aws:") {
		// Any other AWS type: an ARN in its service, named by a short id.
		mod := strings.SplitN(strings.TrimPrefix(string(t), "aws:"), "/", 2)[0]
		id := strings.ToLower(urn.Name()) + "-" + h[:12]
		return id, map[string]any{"arn": arn(mod, id)}
	}
	return h[:16], nil
}

// str is the known string at key, unwrapped from a secret, or def.
func str(in resource.PropertyMap, key, def string) string {
	v := in[resource.PropertyKey(key)]
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() && v.StringValue() != "" {
		return v.StringValue()
	}
	return def
}

func objectAt(in resource.PropertyMap, key string) resource.PropertyMap {
	v := in[resource.PropertyKey(key)]
	if v.IsObject() {
		return v.ObjectValue()
	}
	return resource.PropertyMap{}
}

func uuid(h string) string {
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// password is as long as asked (default 16), from letters, digits and the
// allowed special characters, so checks on its shape see a plausible value.
func password(h string, in resource.PropertyMap) string {
	length := 16
	if v := in["length"]; v.IsNumber() {
		length = int(v.NumberValue())
	}
	special := "!#$%&*()-_=+[]{}<>:?"
	if s := str(in, "overrideSpecial", ""); s != "" {
		special = s
	}
	alphabet := "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789" + special
	out := make([]byte, length)
	for i := range out {
		seed := sha256.Sum256([]byte(h + fmt.Sprint(i)))
		out[i] = alphabet[int(seed[0])%len(alphabet)]
	}
	return string(out)
}
