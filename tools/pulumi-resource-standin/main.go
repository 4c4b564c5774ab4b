// Command pulumi-resource-standin is a test-only stand-in for the aws,
// kubernetes and random provider plugins, so the real Pulumi engine can run
// regionctl's real program where those plugins cannot be downloaded.
//
// It answers like a cloud that accepts everything: Check returns the inputs,
// Create and Update echo them as outputs next to a deterministic id and the
// computed outputs the program reads (arn, endpoint, readerEndpoint, ...),
// Diff compares old and new inputs and asks for a replacement only for the
// properties listed in replacements.go, and Invoke answers the data sources
// in invokes.go with canned values. Nothing is validated against a cloud's
// rules, nothing waits, and nothing is stored outside the engine's state.
//
// One binary serves every package: it is installed as pulumi-resource-<name>
// (the name it is started under decides the package) in a plugin directory
// named resource-<name>-v<version>, whose version it reports.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	// The engine appends glog-style flags (--logtostderr, -v=N) and a
	// tracing endpoint when it starts plugins; undefined flags would stop us.
	flag.String("tracing", "", "ignored")
	if flag.Lookup("logtostderr") == nil {
		flag.Bool("logtostderr", false, "ignored")
	}
	if flag.Lookup("v") == nil {
		flag.Int("v", 0, "ignored")
	}
	flag.Parse()

	exe := os.Args[0]
	pkg, version := identity(filepath.Base(exe), filepath.Base(filepath.Dir(exe)))
	if pkg == "" {
		fatalf("started as %s: install me as pulumi-resource-<package>", filepath.Base(exe))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if addr := flag.Arg(0); addr != "" {
		// An engine that dies abruptly never signals us; polling its health
		// keeps us from living on as an orphan.
		if err := rpcutil.Healthcheck(ctx, addr, time.Minute, stop); err != nil {
			fatalf("could not watch the engine at %s: %v", addr, err)
		}
	}

	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, plugin.NewProviderServer(newStandin(pkg, version)))
			return nil
		},
	})
	if err != nil {
		fatalf("could not start serving: %v", err)
	}
	// The engine reads the first line of stdout to learn where to connect.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fatalf("stopped serving: %v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-resource-standin: "+format+"\n", args...)
	os.Exit(1)
}
