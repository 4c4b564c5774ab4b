package main

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

func TestIdentity(t *testing.T) {
	cases := []struct{ exe, dir, pkg, version string }{
		{"pulumi-resource-aws", "resource-aws-v7.48.0", "aws", "7.48.0"},
		{"pulumi-resource-kubernetes", "resource-kubernetes-v4.34.2", "kubernetes", "4.34.2"},
		{"pulumi-resource-random", "bin", "random", ""},
		{"pulumi-resource-aws", "resource-random-v4.21.2", "aws", ""},
		{"pulumi-resource-standin", "resource-standin-v1.0.0", "", ""},
		{"something-else", "resource-aws-v7.48.0", "", ""},
	}
	for _, c := range cases {
		pkg, version := identity(c.exe, c.dir)
		if pkg != c.pkg || version != c.version {
			t.Errorf("identity(%q, %q) = %q, %q; want %q, %q", c.exe, c.dir, pkg, version, c.pkg, c.version)
		}
	}
}

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func TestDiff(t *testing.T) {
	unknown := resource.MakeComputed(resource.NewProperty(""))
	cases := []struct {
		name             string
		typ              tokens.Type
		olds, news       resource.PropertyMap
		changed, replace []resource.PropertyKey
	}{
		{
			name: "equal inputs: no change",
			typ:  "aws:route53/record:Record",
			olds: props(map[string]any{"name": "a", "records": []any{"x"}}),
			news: props(map[string]any{"name": "a", "records": []any{"x"}}),
		},
		{
			name:    "an updatable input changes in place",
			typ:     "aws:route53/record:Record",
			olds:    props(map[string]any{"name": "a", "records": []any{"x"}}),
			news:    props(map[string]any{"name": "a", "records": []any{"y"}}),
			changed: []resource.PropertyKey{"records"},
		},
		{
			name:    "a replacing input replaces",
			typ:     "aws:rds/cluster:Cluster",
			olds:    props(map[string]any{"clusterIdentifier": "dev-a", "tags": map[string]any{"role": "writer"}}),
			news:    props(map[string]any{"clusterIdentifier": "dev-b", "tags": map[string]any{"role": "writer"}}),
			changed: []resource.PropertyKey{"clusterIdentifier"},
			replace: []resource.PropertyKey{"clusterIdentifier"},
		},
		{
			name:    "an input that appears counts as a change (masterUsername replaces)",
			typ:     "aws:rds/cluster:Cluster",
			olds:    props(map[string]any{"clusterIdentifier": "dev-a"}),
			news:    props(map[string]any{"clusterIdentifier": "dev-a", "masterUsername": "app"}),
			changed: []resource.PropertyKey{"masterUsername"},
			replace: []resource.PropertyKey{"masterUsername"},
		},
		{
			name:    "an unknown new value is a change",
			typ:     "aws:route53/record:Record",
			olds:    props(map[string]any{"healthCheckId": "h1"}),
			news:    resource.PropertyMap{"healthCheckId": unknown},
			changed: []resource.PropertyKey{"healthCheckId"},
		},
		{
			name:    "kubernetes: a new namespace replaces, new labels do not",
			typ:     "kubernetes:apps/v1:Deployment",
			olds:    props(map[string]any{"metadata": map[string]any{"name": "web", "namespace": "dev"}}),
			news:    props(map[string]any{"metadata": map[string]any{"name": "web", "namespace": "prod"}}),
			changed: []resource.PropertyKey{"metadata"},
			replace: []resource.PropertyKey{"metadata"},
		},
		{
			name:    "kubernetes: metadata labels update in place",
			typ:     "kubernetes:apps/v1:Deployment",
			olds:    props(map[string]any{"metadata": map[string]any{"name": "web", "labels": map[string]any{"a": "1"}}}),
			news:    props(map[string]any{"metadata": map[string]any{"name": "web", "labels": map[string]any{"a": "2"}}}),
			changed: []resource.PropertyKey{"metadata"},
		},
		{
			name:    "random: any change replaces",
			typ:     "random:index/randomPassword:RandomPassword",
			olds:    props(map[string]any{"length": 32.0}),
			news:    props(map[string]any{"length": 40.0}),
			changed: []resource.PropertyKey{"length"},
			replace: []resource.PropertyKey{"length"},
		},
	}
	p := newStandin("aws", "7.48.0")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := p.Diff(context.Background(), plugin.DiffRequest{Type: c.typ, OldInputs: c.olds, NewInputs: c.news})
			if err != nil {
				t.Fatal(err)
			}
			want := plugin.DiffNone
			if len(c.changed) > 0 {
				want = plugin.DiffSome
			}
			if d.Changes != want || !reflect.DeepEqual(d.ChangedKeys, c.changed) || !reflect.DeepEqual(d.ReplaceKeys, c.replace) {
				t.Errorf("Diff = %v changed %v replace %v; want %v changed %v replace %v",
					d.Changes, d.ChangedKeys, d.ReplaceKeys, want, c.changed, c.replace)
			}
		})
	}
}

func TestProviderRegionChangeReplaces(t *testing.T) {
	p := newStandin("aws", "7.48.0")
	d, err := p.DiffConfig(context.Background(), plugin.DiffConfigRequest{
		OldInputs: props(map[string]any{"region": "us-east-1"}),
		NewInputs: props(map[string]any{"region": "us-west-2"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.ReplaceKeys, []resource.PropertyKey{"region"}) {
		t.Errorf("ReplaceKeys = %v, want [region]", d.ReplaceKeys)
	}
}

func TestAutonameIsStableAcrossUpdates(t *testing.T) {
	p := newStandin("aws", "7.48.0")
	urn := resource.URN("urn:pulumi:dev::regionctl::aws:ec2/securityGroup:SecurityGroup::db-sg")
	typ := tokens.Type("aws:ec2/securityGroup:SecurityGroup")
	first, err := p.Check(context.Background(), plugin.CheckRequest{URN: urn, Type: typ, News: props(map[string]any{"vpcId": "v"})})
	if err != nil {
		t.Fatal(err)
	}
	name := first.Properties["name"]
	if !name.IsString() || name.StringValue() == "" {
		t.Fatalf("no autoname: %v", first.Properties)
	}
	again, _ := p.Check(context.Background(), plugin.CheckRequest{
		URN: urn, Type: typ, Olds: first.Properties, News: props(map[string]any{"vpcId": "v"}),
	})
	if !again.Properties["name"].DeepEquals(name) {
		t.Errorf("name changed across checks: %v -> %v", name, again.Properties["name"])
	}
}

func TestCreatePreviewLeavesComputedOutputsUnknown(t *testing.T) {
	p := newStandin("aws", "7.48.0")
	req := plugin.CreateRequest{
		URN:        "urn:pulumi:dev::regionctl::aws:rds/cluster:Cluster::c",
		Type:       "aws:rds/cluster:Cluster",
		Properties: props(map[string]any{"clusterIdentifier": "dev-us-east-1"}),
	}
	req.Preview = true
	preview, _ := p.Create(context.Background(), req)
	if !preview.Properties["endpoint"].IsComputed() {
		t.Errorf("endpoint in preview = %v, want unknown", preview.Properties["endpoint"])
	}
	req.Preview = false
	created, _ := p.Create(context.Background(), req)
	if created.ID != "dev-us-east-1" || !created.Properties["endpoint"].IsString() {
		t.Errorf("create = %v %v", created.ID, created.Properties)
	}
	updated, _ := p.Update(context.Background(), plugin.UpdateRequest{
		URN: req.URN, Type: req.Type, NewInputs: req.Properties, Preview: true,
	})
	if !updated.Properties["endpoint"].DeepEquals(created.Properties["endpoint"]) {
		t.Errorf("update preview endpoint = %v, want %v", updated.Properties["endpoint"], created.Properties["endpoint"])
	}
}

func TestInvokeAnswersOrNamesTheToken(t *testing.T) {
	p := newStandin("aws", "7.48.0")
	res, err := p.Invoke(context.Background(), plugin.InvokeRequest{Tok: "aws:index/getCallerIdentity:getCallerIdentity"})
	if err != nil || res.Properties["accountId"].StringValue() != accountID {
		t.Errorf("getCallerIdentity = %v, %v", res.Properties, err)
	}
	if _, err := p.Invoke(context.Background(), plugin.InvokeRequest{Tok: "aws:ec2/getVpc:getVpc"}); err == nil {
		t.Error("an unknown invoke was answered")
	}
}

func TestLoadBalancerServiceReportsItsHostname(t *testing.T) {
	p := newStandin("kubernetes", "4.34.2")
	created, err := p.Create(context.Background(), plugin.CreateRequest{
		URN:  "urn:pulumi:dev::regionctl::kubernetes:core/v1:Service::app-public",
		Type: "kubernetes:core/v1:Service",
		Properties: props(map[string]any{
			"metadata": map[string]any{"name": "app-public", "namespace": "dev"},
			"spec":     map[string]any{"type": "LoadBalancer"},
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	ingress := created.Properties["status"].ObjectValue()["loadBalancer"].ObjectValue()["ingress"].ArrayValue()
	if len(ingress) != 1 || !strings.HasSuffix(ingress[0].ObjectValue()["hostname"].StringValue(), ".elb.amazonaws.com") {
		t.Errorf("status = %v", created.Properties["status"])
	}
}
