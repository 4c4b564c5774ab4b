package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// policyPackScript is the Node SDK's launcher for CrossGuard policy packs,
// relative to a node_modules directory. It takes the engine address and the
// pack directory, registers ts-node itself, and prints the analyzer's port.
const policyPackScript = "@pulumi/pulumi/cmd/run-policy-pack"

// analyzerKind is the plugin kind (apitype.AnalyzerPlugin) the engine sends
// for policy packs; importing apitype would link in half of Pulumi ESC.
const analyzerKind = "analyzer"

// RunPlugin runs a policy pack written for the nodejs runtime. Once a nodejs
// language host is installed the engine no longer looks for a
// pulumi-analyzer-policy shim: it asks the host to start the pack and reads
// the analyzer's port from the stdout messages of this stream. The last
// message is node's exit code.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if req.GetKind() != analyzerKind {
		return status.Errorf(codes.Unimplemented,
			"regionctl's Node.js language host runs policy packs only, not %s plugins", req.GetKind())
	}
	packDir := req.GetInfo().GetProgramDirectory()
	args, env, err := policyPackCommand(req)
	if err != nil {
		return err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on PATH: %w", err)
	}

	// The pack stops when the engine kills the plugin (which ends this
	// stream) or cancels the host.
	ctx, stop := context.WithCancel(stream.Context())
	defer stop()
	defer context.AfterFunc(h.runsCtx, stop)()

	out := &pluginStream{stream: stream}
	// @pulumi/pulumi reads the stack's name and configuration from the
	// environment when the pack starts, but the engine only sends them
	// (ConfigureStack) once it is connected. The SDK's proxy takes that call,
	// then forwards everything to the pack node starts.
	proxy, packStdout, err := sdk.NewPolicyProxy(ctx, out.writer(stdoutMsg))
	if err != nil {
		return fmt.Errorf("could not start the policy pack proxy: %w", err)
	}
	stackConfig, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get the stack configuration for the policy pack: %w", err)
	}
	stackVars, err := stackEnv(stackConfig)
	if err != nil {
		return err
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	// Packs have always run in their own directory, whatever the program's.
	cmd.Dir = packDir
	cmd.Env = append(env, stackVars...)
	cmd.Stdout = packStdout
	cmd.Stderr = out.writer(stderrMsg)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start the policy pack with %s: %w", node, err)
	}
	// Attach waits for node to exit.
	err = proxy.Attach(ctx, cmd)
	code := 0
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	default:
		return fmt.Errorf("policy pack in %s: %w", packDir, err)
	}
	return out.send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)},
	})
}

// policyPackCommand returns node's arguments and environment, before the
// stack's, for the pack described by req.
func policyPackCommand(req *pulumirpc.RunPluginRequest) ([]string, []string, error) {
	info := req.GetInfo()
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return nil, nil, fmt.Errorf("invalid runtime options in PulumiPolicy.yaml: %w", err)
	}
	nodeArgs, err := splitArgs(opts.nodeArgs)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid nodeargs runtime option: %w", err)
	}
	packDir := info.GetProgramDirectory()
	script, ok := findUp(packDir, filepath.Join("node_modules", policyPackScript, "index.js"))
	if !ok {
		return nil, nil, fmt.Errorf("could not find node_modules/%s in %s or any parent directory; "+
			"it looks like the policy pack's dependencies are not installed (run `npm ci`)", policyPackScript, packDir)
	}
	args := append(nodeArgs, filepath.Dir(script))
	args = append(args, positionalArgs(req.GetArgs())...)
	args = append(args, packDir)

	// The engine sends its whole environment, including what it adds for
	// policy packs; older engines send none.
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	env = append([]string(nil), env...)
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	return args, env, nil
}

// positionalArgs drops the logging and tracing flags the engine puts before
// its address: run-policy-pack parses its command line with minimist, which
// would take the address as the value of a bare `--logtostderr`.
func positionalArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--tracing":
			i++ // and its value
		case strings.HasPrefix(a, "-"):
		default:
			out = append(out, a)
		}
	}
	return out
}

// stackEnv is what the Node SDK reads to answer pulumi.getStack(),
// pulumi.Config and friends inside a pack. cfg is nil when the engine asked
// for the pack's information before configuring it (`pulumi policy publish`).
func stackEnv(cfg *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if cfg == nil {
		return nil, nil
	}
	var env []string
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", cfg.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", cfg.GetProject())
	add("PULUMI_NODEJS_STACK", cfg.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(cfg.GetDryRun()))
	if len(cfg.GetConfig()) > 0 {
		b, err := json.Marshal(cfg.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("could not encode the stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(b))
	}
	if len(cfg.GetConfigSecretKeys()) > 0 {
		b, err := json.Marshal(cfg.GetConfigSecretKeys())
		if err != nil {
			return nil, fmt.Errorf("could not encode the secret configuration keys: %w", err)
		}
		add("PULUMI_CONFIG_SECRET_KEYS", string(b))
	}
	return env, nil
}

// pluginStream serialises sends on a RunPlugin stream: a gRPC stream takes
// one sender at a time, and exec.Cmd copies node's stdout and stderr from
// separate goroutines.
type pluginStream struct {
	mu     sync.Mutex
	stream interface {
		Send(*pulumirpc.RunPluginResponse) error
	}
}

func (s *pluginStream) send(resp *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stream.Send(resp)
}

func stdoutMsg(b []byte) *pulumirpc.RunPluginResponse {
	return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
}

func stderrMsg(b []byte) *pulumirpc.RunPluginResponse {
	return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
}

// writer sends every write as one message built by msg. It copies the bytes
// because gRPC may still read a message after Send returns, while the caller
// reuses its buffer.
func (s *pluginStream) writer(msg func([]byte) *pulumirpc.RunPluginResponse) io.Writer {
	return writerFunc(func(b []byte) error { return s.send(msg(append([]byte(nil), b...))) })
}

type writerFunc func([]byte) error

func (f writerFunc) Write(b []byte) (int, error) {
	if err := f(b); err != nil {
		return 0, err
	}
	return len(b), nil
}
