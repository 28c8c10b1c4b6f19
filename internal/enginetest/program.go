package enginetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// programEnv serialises program runs: the program lists its config keys from
// PULUMI_CONFIG, a process-wide variable, which the Go language host sets for
// the program process and which this in-process host sets around each run.
var programEnv sync.Mutex

// Exclusive runs f while no program runs in this process, for code that sets
// the same process-wide program environment (the mocks runner does).
func Exclusive(f func() error) error {
	programEnv.Lock()
	defer programEnv.Unlock()
	return f()
}

// languageHost serves a Go program to the CLI in this process, as the
// Automation API does for an inline program (`pulumi up --client=ADDR`): the
// CLI asks it to run the program against the engine's resource monitor.
// Unlike the Automation API's host it also sets PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS as pulumi-language-go does for a compiled
// program, so the program sees the same environment as under `pulumi up`.
type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	program pulumi.RunFunc
}

// serveProgram starts a language host for program and returns its address
// and a function that stops it.
func serveProgram(program pulumi.RunFunc) (string, func(), error) {
	stop := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, &languageHost{program: program})
			return nil
		},
	})
	if err != nil {
		return "", nil, fmt.Errorf("serve the program: %w", err)
	}
	return fmt.Sprintf("127.0.0.1:%d", handle.Port), func() {
		close(stop)
		<-handle.Done
	}, nil
}

// GetRequiredPlugins names none: the engine loads providers as resources ask.
func (l *languageHost) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetPluginInfo reports a version, which the CLI requires.
func (l *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "1.0.0"}, nil
}

// InstallDependencies has nothing to install: the program is compiled in.
func (l *languageHost) InstallDependencies(*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	return nil
}

// Run runs the program once against the engine.
func (l *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := pulumi.RunInfo{
		Project: req.GetProject(), Stack: req.GetStack(), Organization: req.GetOrganization(),
		Config: req.GetConfig(), ConfigSecretKeys: req.GetConfigSecretKeys(),
		Parallel: req.GetParallel(), DryRun: req.GetDryRun(), MonitorAddr: req.GetMonitorAddress(),
		// The Go language host hands the program the project's root, where
		// catalog files are read.
		RootDirectory: req.GetInfo().GetRootDirectory(),
	}
	if info.RootDirectory == "" {
		info.RootDirectory = req.GetPwd()
	}
	if len(req.GetArgs()) > 0 {
		info.EngineAddr = req.GetArgs()[0]
	}
	cfg, err := json.Marshal(info.Config)
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	keys, err := json.Marshal(info.ConfigSecretKeys)
	if err != nil {
		return nil, fmt.Errorf("encode secret keys: %w", err)
	}
	programEnv.Lock()
	defer programEnv.Unlock()
	os.Setenv(pulumi.EnvConfig, string(cfg))
	os.Setenv(pulumi.EnvConfigSecretKeys, string(keys))
	defer os.Unsetenv(pulumi.EnvConfig)
	defer os.Unsetenv(pulumi.EnvConfigSecretKeys)

	pctx, err := pulumi.NewContext(ctx, info)
	if err != nil {
		return nil, fmt.Errorf("start the program: %w", err)
	}
	defer pctx.Close()
	if err := runRecovered(pctx, l.program); err != nil {
		// The engine prints this; the program never puts a secret value in an error.
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// runRecovered runs the program, turning a panic into an error as the
// language host would report a crashed program.
func runRecovered(ctx *pulumi.Context, program pulumi.RunFunc) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the program panicked: %v", r)
		}
	}()
	return pulumi.RunWithContext(ctx, program)
}
