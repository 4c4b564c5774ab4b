package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// standin is one provider instance: the engine starts a process per
// provider resource, so the configuration it holds is that provider's.
type standin struct {
	plugin.UnimplementedProvider

	pkg     string
	version string
	// region is the aws provider's configured region, for ARNs and endpoints.
	region string
}

func newStandin(pkg, version string) *standin {
	return &standin{pkg: pkg, version: version, region: "us-east-1"}
}

func (p *standin) Pkg() tokens.Package { return tokens.Package(p.pkg) }

func (p *standin) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	if p.version == "" {
		return plugin.PluginInfo{}, nil
	}
	v, err := semver.ParseTolerant(p.version)
	if err != nil {
		return plugin.PluginInfo{}, fmt.Errorf("plugin directory names version %q: %w", p.version, err)
	}
	return plugin.PluginInfo{Version: &v}, nil
}

// Handshake takes secrets as they are, so outputs echoed from secret inputs
// stay secret, and resources as plain ids, as the real bridged providers do.
func (p *standin) Handshake(
	context.Context, plugin.ProviderHandshakeRequest,
) (*plugin.ProviderHandshakeResponse, error) {
	return &plugin.ProviderHandshakeResponse{AcceptSecrets: true}, nil
}

func (p *standin) CheckConfig(_ context.Context, req plugin.CheckConfigRequest) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News}, nil
}

// DiffConfig replaces the provider, and so every resource under it, when a
// property that moves the resources elsewhere changes (an aws provider's
// region, a kubernetes provider's cluster).
func (p *standin) DiffConfig(_ context.Context, req plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	return diffProperties(req.OldInputs, req.NewInputs, providerReplacements[p.pkg], false), nil
}

func (p *standin) Configure(_ context.Context, req plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	if r, ok := req.Inputs["region"]; ok && r.IsString() && r.StringValue() != "" {
		p.region = r.StringValue()
	}
	return plugin.ConfigureResponse{}, nil
}

// Check accepts every input, naming what a real provider names at this
// stage (autonamed `name`s), so the program sees the same known values.
func (p *standin) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	news := req.News.Copy()
	if req.Olds != nil {
		// A resource keeps the name it was given when it was created.
		carryAutoname(req.Type, req.Olds, news)
	}
	autoname(req.Type, req.URN, req.Autonaming, news)
	return plugin.CheckResponse{Properties: news}, nil
}

func (p *standin) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResponse, error) {
	olds := req.OldInputs
	if olds == nil {
		olds = req.OldOutputs
	}
	return diffProperties(olds, req.NewInputs, replacementsOf(req.Type), isRandom(req.Type)), nil
}

func (p *standin) Create(_ context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	id, outs := p.outputs(req.Type, req.URN, req.Properties, req.Preview)
	return plugin.CreateResponse{ID: id, Properties: outs, Status: resource.StatusOK}, nil
}

func (p *standin) Update(_ context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	_, outs := p.outputs(req.Type, req.URN, req.NewInputs, false)
	return plugin.UpdateResponse{Properties: outs, Status: resource.StatusOK}, nil
}

// Read reports the resource as the engine last recorded it: the stand-in's
// cloud never drifts.
func (p *standin) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	state := req.State
	if state == nil {
		_, state = p.outputs(req.Type, req.URN, req.Inputs, false)
	}
	return plugin.ReadResponse{
		ReadResult: plugin.ReadResult{ID: req.ID, Inputs: req.Inputs, Outputs: state},
		Status:     resource.StatusOK,
	}, nil
}

func (p *standin) Delete(context.Context, plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	return plugin.DeleteResponse{Status: resource.StatusOK}, nil
}

func (p *standin) Invoke(_ context.Context, req plugin.InvokeRequest) (plugin.InvokeResponse, error) {
	answer, ok := cannedInvokes[string(req.Tok)]
	if !ok {
		return plugin.InvokeResponse{}, fmt.Errorf(
			"the stand-in %s provider has no canned answer for %s; add one to invokes.go", p.pkg, req.Tok)
	}
	return plugin.InvokeResponse{Properties: resource.NewPropertyMapFromMap(answer(p.region, req.Args))}, nil
}

// diffProperties compares inputs key by key. An unknown new value counts as
// a change, as it does for real providers; a change to a key in replaces, or
// to any key when all is set, asks for a replacement.
func diffProperties(olds, news resource.PropertyMap, replaces replacementSet, all bool) plugin.DiffResult {
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var changed, replaced []resource.PropertyKey
	for k := range keys {
		o, n := olds[k], news[k]
		if !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		changed = append(changed, k)
		if all || replaces.requires(k, o, n) {
			replaced = append(replaced, k)
		}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i] < changed[j] })
	sort.Slice(replaced, func(i, j int) bool { return replaced[i] < replaced[j] })
	if len(changed) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}
	}
	return plugin.DiffResult{Changes: plugin.DiffSome, ChangedKeys: changed, ReplaceKeys: replaced}
}
