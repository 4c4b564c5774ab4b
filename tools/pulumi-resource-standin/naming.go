package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// autonamed lists the aws types whose `name` the real provider fills in
// when the program leaves it out: the resource's name plus a random suffix.
var autonamed = map[string]bool{
	"aws:dynamodb/table:Table":                            true,
	"aws:ec2/securityGroup:SecurityGroup":                 true,
	"aws:kms/alias:Alias":                                 true,
	"aws:rds/clusterParameterGroup:ClusterParameterGroup": true,
	"aws:rds/subnetGroup:SubnetGroup":                     true,
	"aws:secretsmanager/secret:Secret":                    true,
}

// digest is the stand-in's source of "random" values: derived from the URN,
// so every run of the same program yields the same names and ids.
func digest(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// autoname fills in the name a real provider would generate, in place.
func autoname(t tokens.Type, urn resource.URN, opts *plugin.AutonamingOptions, news resource.PropertyMap) {
	switch {
	case autonamed[string(t)]:
		if _, ok := news["name"]; !ok && !hasPrefixInput(news) {
			name := proposed(opts, urn.Name()+"-"+digest(string(urn))[:7])
			if t == "aws:kms/alias:Alias" {
				name = "alias/" + name
			}
			news["name"] = resource.NewProperty(name)
		}
	case strings.HasPrefix(string(t), "kubernetes:") && !strings.HasPrefix(string(t), "kubernetes:yaml"):
		meta, ok := news["metadata"]
		if ok && meta.IsComputed() {
			return
		}
		if !ok || !meta.IsObject() {
			meta = resource.NewProperty(resource.PropertyMap{})
			news["metadata"] = meta
		}
		m := meta.ObjectValue()
		if _, named := m["name"]; !named {
			m["name"] = resource.NewProperty(proposed(opts, urn.Name()+"-"+digest(string(urn))[:8]))
		}
	}
}

func hasPrefixInput(news resource.PropertyMap) bool {
	_, ok := news["namePrefix"]
	return ok
}

func proposed(opts *plugin.AutonamingOptions, fallback string) string {
	if opts != nil && opts.ProposedName != "" {
		return opts.ProposedName
	}
	return fallback
}

// carryAutoname keeps the name a resource got when it was created, so an
// update does not rename (and so replace) it.
func carryAutoname(t tokens.Type, olds, news resource.PropertyMap) {
	switch {
	case autonamed[string(t)]:
		if _, ok := news["name"]; !ok && !hasPrefixInput(news) {
			if old, had := olds["name"]; had {
				news["name"] = old
			}
		}
	case strings.HasPrefix(string(t), "kubernetes:"):
		oldName := at(olds["metadata"], "name")
		newMeta, ok := news["metadata"]
		if oldName.IsNull() || (ok && !newMeta.IsObject()) {
			return
		}
		if !ok {
			newMeta = resource.NewProperty(resource.PropertyMap{})
			news["metadata"] = newMeta
		}
		if _, named := newMeta.ObjectValue()["name"]; !named {
			newMeta.ObjectValue()["name"] = oldName
		}
	}
}
