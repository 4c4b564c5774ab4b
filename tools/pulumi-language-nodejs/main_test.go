package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestSplitArgs(t *testing.T) {
	for in, want := range map[string][]string{
		"":                            nil,
		"--import tsx":                {"--import", "tsx"},
		`  --title "a b"  --x='c d' `: {"--title", "a b", "--x=c d"},
		`a\ b`:                        {"a b"},
	} {
		got, err := splitArgs(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := splitArgs(`"open`); err == nil {
		t.Error("splitArgs accepted an unterminated quote")
	}
}

func TestParseOptions(t *testing.T) {
	opts, err := parseOptions(nil)
	if err != nil || !opts.typescript {
		t.Fatalf("defaults: %+v, %v; want typescript on", opts, err)
	}
	opts, err = parseOptions(map[string]any{"typescript": false, "nodeargs": "--import tsx", "packagemanager": "npm"})
	if err != nil || opts.typescript || opts.nodeArgs != "--import tsx" {
		t.Fatalf("got %+v, %v", opts, err)
	}
	if _, err := parseOptions(map[string]any{"typescript": "no"}); err == nil {
		t.Fatal("a non-boolean typescript option was accepted")
	}
}

func TestRunFlags(t *testing.T) {
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1", Project: "p", Stack: "s", Organization: "o",
		DryRun: true, Parallel: 4, Args: []string{"extra"},
	}
	info := &pulumirpc.ProgramInfo{RootDirectory: "/r", ProgramDirectory: "/r/src", EntryPoint: "."}
	want := []string{
		"--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--organization", "o",
		"--project", "p", "--root-directory", "/r", "--stack", "s", "--pwd", "/r/src",
		"--dry-run", "--parallel", "4", ".", "extra",
	}
	if got := runFlags(req, info, "127.0.0.1:2", ""); !reflect.DeepEqual(got, want) {
		t.Errorf("runFlags:\n got %q\nwant %q", got, want)
	}
}

func TestPositionalArgs(t *testing.T) {
	got := positionalArgs([]string{"--logtostderr", "-v=9", "--tracing", "file:/t", "127.0.0.1:5"})
	if want := []string{"127.0.0.1:5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("positionalArgs = %q, want %q", got, want)
	}
}

func TestPolicyPackCommand(t *testing.T) {
	root := t.TempDir()
	script := filepath.Join(root, "node_modules", policyPackScript)
	pack := filepath.Join(root, "policy")
	for _, dir := range []string{script, pack} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	options, err := structpb.NewStruct(map[string]any{"nodeargs": "--max-old-space-size=512", "tsconfig": "tsconfig.json"})
	if err != nil {
		t.Fatal(err)
	}
	req := &pulumirpc.RunPluginRequest{
		Kind: analyzerKind,
		Args: []string{"--logtostderr", "127.0.0.1:5"},
		Env:  []string{"HOME=/h"},
		Info: &pulumirpc.ProgramInfo{RootDirectory: pack, ProgramDirectory: pack, EntryPoint: ".", Options: options},
	}

	// Without the SDK installed the error says what to do.
	if _, _, err := policyPackCommand(req); err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Fatalf("missing run-policy-pack: got %v, want an error asking for npm ci", err)
	}
	if err := os.WriteFile(filepath.Join(script, "index.js"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	args, env, err := policyPackCommand(req)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"--max-old-space-size=512", script, "127.0.0.1:5", pack}; !reflect.DeepEqual(args, want) {
		t.Errorf("args:\n got %q\nwant %q", args, want)
	}
	wantEnv := []string{"HOME=/h", "PULUMI_NODEJS_TYPESCRIPT=true", "PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.json"}
	if !reflect.DeepEqual(env, wantEnv) {
		t.Errorf("env:\n got %q\nwant %q", env, wantEnv)
	}
	if len(req.Env) != 1 {
		t.Errorf("policyPackCommand changed the request's environment: %q", req.Env)
	}
}

func TestStackEnv(t *testing.T) {
	if env, err := stackEnv(nil); err != nil || env != nil {
		t.Fatalf("no configuration: got %q, %v; want nothing", env, err)
	}
	env, err := stackEnv(&pulumirpc.AnalyzerStackConfigureRequest{
		Stack: "dev", Project: "regionctl", DryRun: true,
		Config:           map[string]string{"regionctl:regions": `["us-east-1"]`},
		ConfigSecretKeys: []string{"regionctl:token"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PULUMI_NODEJS_PROJECT=regionctl", "PULUMI_NODEJS_STACK=dev", "PULUMI_NODEJS_DRY_RUN=true",
		`PULUMI_CONFIG={"regionctl:regions":"[\"us-east-1\"]"}`, `PULUMI_CONFIG_SECRET_KEYS=["regionctl:token"]`,
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("stackEnv:\n got %q\nwant %q", env, want)
	}
}

func TestRunPluginRefusesOtherKinds(t *testing.T) {
	err := newHost("", "").RunPlugin(&pulumirpc.RunPluginRequest{Kind: "resource"}, nil)
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("RunPlugin(kind resource) = %v, want Unimplemented", err)
	}
}

type recordingStream struct {
	sent []*pulumirpc.RunPluginResponse
}

func (r *recordingStream) Send(m *pulumirpc.RunPluginResponse) error {
	r.sent = append(r.sent, m)
	return nil
}

func TestPluginStreamCopiesWrites(t *testing.T) {
	rec := &recordingStream{}
	out := &pluginStream{stream: rec}
	buf := []byte("12345\n")
	if _, err := out.writer(stdoutMsg).Write(buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, "xxxxx\n") // exec.Cmd reuses its buffer once Write returns
	if _, err := out.writer(stderrMsg).Write([]byte("warn\n")); err != nil {
		t.Fatal(err)
	}
	if len(rec.sent) != 2 || string(rec.sent[0].GetStdout()) != "12345\n" || string(rec.sent[1].GetStderr()) != "warn\n" {
		t.Errorf("sent %v", rec.sent)
	}
}
