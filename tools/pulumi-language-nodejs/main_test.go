package main

import (
	"reflect"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
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
