// Command pulumi-language-nodejs is regionctl's own Node.js language host for
// the Pulumi engine.
//
// The upstream host lives in a Go module that the module proxy refuses to
// serve, so the CLI we build from the proxy has no Node.js support of its own.
// This replacement covers what regionctl needs: `pulumi up/preview/refresh/
// destroy` of TypeScript or JavaScript programs whose resources are dynamic
// providers (or mocked), and CrossGuard policy packs with `runtime: nodejs`
// (`--policy-pack`, see policypack.go). It starts @pulumi/pulumi's cmd/run or
// cmd/run-policy-pack script with the flags and environment variables that
// script reads and reports how it ended. It does not install dependencies,
// discover provider plugins, generate code or run other plugins written in
// Node.js; those RPCs answer Unimplemented or do nothing.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is what GetPluginInfo reports. provide-pulumi.sh stamps the pinned
// CLI version here with -ldflags so `pulumi about` shows matching versions.
var version = "3.248.0"

// exitAfterUserMessage is the exit code cmd/run uses when it has already
// printed an actionable error; the engine should then stop without adding
// its own "program exited" message, which is what RunResponse.Bail means.
const exitAfterUserMessage = 32

// runScript is where the Node SDK keeps the program launcher, relative to a
// node_modules directory.
const runScript = "@pulumi/pulumi/cmd/run"

func main() {
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint, forwarded to the program")
	// The engine appends glog-style flags (--logtostderr, -v=N) when it flows
	// its logging settings to plugins, and an undefined flag would stop the
	// host from starting. glog, linked in through the SDK, usually defines
	// them already; we ignore their values either way.
	if flag.Lookup("logtostderr") == nil {
		flag.Bool("logtostderr", false, "ignored")
	}
	if flag.Lookup("v") == nil {
		flag.Int("v", 0, "ignored")
	}
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Println(version)
		return
	}

	// The engine stops plugins by sending SIGINT to their process group, so
	// node children receive it too; we only have to stop serving.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	host := newHost(flag.Arg(0), *tracing)
	if addr := flag.Arg(0); addr != "" {
		// An engine that dies abruptly never signals us; polling its health
		// keeps us (and any node child) from living on as orphans.
		if err := rpcutil.Healthcheck(ctx, addr, time.Minute, stop); err != nil {
			fatalf("could not watch the engine at %s: %v", addr, err)
		}
	}

	serverDone := make(chan bool)
	go func() {
		<-ctx.Done()
		host.cancelRuns()
		close(serverDone)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: serverDone,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fatalf("could not start the language host server: %v", err)
	}

	// The engine reads the first line of stdout to learn where to connect.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		fatalf("language host stopped serving: %v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: "+format+"\n", args...)
	os.Exit(1)
}

// host implements pulumirpc.LanguageRuntimeServer. Embedding the generated
// Unimplemented server makes every RPC we do not override answer
// codes.Unimplemented, which the engine understands.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	tracing string

	mu            sync.Mutex
	engineAddress string

	// runsCtx is cancelled by the Cancel RPC or on shutdown, and every
	// running program is tied to it.
	runsCtx    context.Context
	cancelRuns context.CancelFunc
}

func newHost(engineAddress, tracing string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{engineAddress: engineAddress, tracing: tracing, runsCtx: ctx, cancelRuns: cancel}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake is how a newer engine hands over its address; older engines pass
// it as the first argument instead, which main already recorded.
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if addr := req.GetEngineAddress(); addr != "" {
		h.mu.Lock()
		h.engineAddress = addr
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins reports nothing: regionctl's programs only use dynamic
// providers (served by pulumi-resource-pulumi-nodejs) and mocks, and listing
// the provider packages found in node_modules would make the engine try to
// download plugins from the network.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages reports nothing, for the same reason as GetRequiredPlugins.
func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies leaves node_modules to npm: the repository pins its
// dependencies with package-lock.json and CI installs them with `npm ci`.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory()
	}
	msg := fmt.Sprintf("regionctl's Node.js language host does not install dependencies; run `npm ci` in %s\n", dir)
	return stream.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(msg)})
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on PATH: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("could not get the node version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies lists the direct dependencies from package.json,
// with the installed version when one can be found, for `pulumi about`.
func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	var pkg struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, err
	}
	declared := map[string]string{}
	for name, v := range pkg.DevDependencies {
		declared[name] = v
	}
	for name, v := range pkg.Dependencies {
		declared[name] = v
	}
	names := make([]string, 0, len(declared))
	for name := range declared {
		names = append(names, name)
	}
	sort.Strings(names)

	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, name := range names {
		v := declared[name]
		if p, ok := findUp(dir, filepath.Join("node_modules", name, "package.json")); ok {
			var installed struct {
				Version string `json:"version"`
			}
			if readJSON(p, &installed) == nil && installed.Version != "" {
				v = installed.Version
			}
		}
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return resp, nil
}

// Cancel stops running programs. The engine calls it when the user
// interrupts an update and again just before it shuts the host down.
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelRuns()
	return &emptypb.Empty{}, nil
}

// Run executes the program with node and waits for it. Program failures are
// reported in the response rather than as an RPC error so that the engine
// shows them as the update's error.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	failed := func(format string, args ...any) (*pulumirpc.RunResponse, error) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(format, args...)}, nil
	}

	info := programInfo(req)
	var rawOpts map[string]any
	if o := info.GetOptions(); o != nil {
		rawOpts = o.AsMap()
	}
	opts, err := parseOptions(rawOpts)
	if err != nil {
		return failed("invalid runtime options in Pulumi.yaml: %v", err)
	}
	if req.GetAttachDebugger() {
		return failed("regionctl's Node.js language host cannot attach a debugger")
	}

	node, err := exec.LookPath("node")
	if err != nil {
		return failed("could not find node on PATH: %v", err)
	}
	script, err := locateRunScript(info.GetProgramDirectory())
	if err != nil {
		return failed("%v", err)
	}
	nodeArgs, err := splitArgs(opts.nodeArgs)
	if err != nil {
		return failed("invalid nodeargs runtime option: %v", err)
	}
	env, err := programEnv(req, opts)
	if err != nil {
		return failed("%v", err)
	}

	args := append(nodeArgs, script)
	args = append(args, runFlags(req, info, h.engine(), h.tracing)...)

	// The program stops when the engine cancels (Cancel RPC, shutdown) or
	// abandons the call. It gets SIGINT first so cmd/run can flush its
	// output, and SIGKILL if it is still running five seconds later.
	runCtx, stop := context.WithCancel(h.runsCtx)
	defer stop()
	defer context.AfterFunc(ctx, stop)()

	cmd := exec.CommandContext(runCtx, node, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = env
	// Hide our *os.File behind a plain io.Writer so node writes into a pipe
	// we copy from: node may switch the descriptors it inherits to
	// non-blocking mode, which would then break our own writes to them.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() > 0:
		return failed("Program exited with non-zero exit code: %d", exitErr.ExitCode())
	case errors.As(err, &exitErr):
		return failed("Program exited unexpectedly: %v", exitErr)
	default:
		return failed("could not run the program with %s: %v", node, err)
	}
}

// programInfo returns the request's program description, filling it in from
// the older flat fields when an engine does not send one.
func programInfo(req *pulumirpc.RunRequest) *pulumirpc.ProgramInfo {
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		return info
	}
	entry := req.GetProgram()
	if entry == "" {
		entry = "."
	}
	return &pulumirpc.ProgramInfo{
		RootDirectory:    req.GetPwd(),
		ProgramDirectory: req.GetPwd(),
		EntryPoint:       entry,
	}
}

// nodeOptions are the `runtime.options` of Pulumi.yaml that this host honours.
type nodeOptions struct {
	typescript bool   // let cmd/run register ts-node (the default, as upstream)
	tsconfig   string // tsconfig.json cmd/run hands to ts-node
	nodeArgs   string // extra node arguments, e.g. "--import tsx"
}

func parseOptions(raw map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	for key, value := range raw {
		var ok bool
		switch key {
		case "typescript":
			opts.typescript, ok = value.(bool)
		case "tsconfig":
			opts.tsconfig, ok = value.(string)
		case "nodeargs":
			opts.nodeArgs, ok = value.(string)
		default:
			// Options such as packagemanager only matter for installing,
			// which this host leaves to npm.
			ok = true
		}
		if !ok {
			return opts, fmt.Errorf("option %q has an unexpected type %T", key, value)
		}
	}
	return opts, nil
}

// runFlags builds the command line that cmd/run parses with minimist.
func runFlags(req *pulumirpc.RunRequest, info *pulumirpc.ProgramInfo, engine, tracing string) []string {
	var flags []string
	add := func(name, value string) {
		if value != "" {
			flags = append(flags, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engine)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", info.GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		flags = append(flags, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", tracing)

	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	flags = append(flags, entry)
	return append(flags, req.GetArgs()...)
}

// programEnv adds what the SDK reads from the environment rather than from
// flags: the stack configuration, which keys are secret, and TypeScript mode.
func programEnv(req *pulumirpc.RunRequest, opts nodeOptions) ([]string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("could not encode the stack configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretsJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("could not encode the secret configuration keys: %w", err)
	}

	// exec.Cmd keeps the last value of a repeated key, so these override any
	// inherited values.
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretsJSON),
	)
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	return env, nil
}

// locateRunScript finds cmd/run the way node would resolve it from the
// program directory, so the launcher and the program share one copy of the
// SDK. PULUMI_LANGUAGE_NODEJS_RUN_PATH overrides it, as with upstream.
func locateRunScript(programDir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(programDir, p)
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("PULUMI_LANGUAGE_NODEJS_RUN_PATH: %w", err)
		}
		return p, nil
	}
	if p, ok := findUp(programDir, filepath.Join("node_modules", runScript, "index.js")); ok {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("could not find node_modules/%s in %s or any parent directory; "+
		"it looks like the Pulumi SDK is not installed (run `npm ci`)", runScript, programDir)
}

// findUp returns the first dir/rel, dir/../rel, ... that exists.
func findUp(dir, rel string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// splitArgs splits the nodeargs option into words roughly as a shell would:
// on blanks, honouring single quotes, double quotes and backslash escapes.
// Nothing is expanded because no shell is involved.
func splitArgs(s string) ([]string, error) {
	var (
		args    []string
		word    strings.Builder
		inWord  bool
		quote   rune
		escaped bool
	)
	for _, r := range s {
		switch {
		case escaped:
			word.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case quote == '"':
			if r == '"' {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				args = append(args, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("unterminated quote or escape in %q", s)
	}
	if inWord {
		args = append(args, word.String())
	}
	return args, nil
}
