package mockrun

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// envMu serialises runs: the program lists its config keys from
// PULUMI_CONFIG, a process-wide variable, exactly as under the real engine.
// This is the one piece of package state, and it guards only that variable.
var envMu sync.Mutex

// Compose is a stack composition: it registers resources and returns the
// stack outputs (stack.Compose has this shape).
type Compose func(ctx *pulumi.Context) (map[string]pulumi.Input, error)

// Run runs a composition under mocks with the stack's config, exports its
// outputs as Program does, and records resources and resolved outputs.
func Run(st Stack, compose Compose) (*Recording, error) {
	rec := &Recording{Stack: st.Name, Outputs: map[string]Output{}}
	err := run(st, rec, func(ctx *pulumi.Context) error {
		exports, err := compose(ctx)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(exports)) {
			out := pulumi.ToOutput(exports[name])
			res, err := internals.UnsafeAwaitOutput(ctx.Context(), out)
			if err != nil {
				return fmt.Errorf("resolve output %s: %w", name, err)
			}
			rec.Outputs[name] = Output{Value: res.Value, Secret: res.Secret, Known: res.Known}
			ctx.Export(name, exports[name])
		}
		return nil
	})
	return rec, err
}

// RunProgram runs a whole Pulumi program function (main's program) under
// mocks; outputs are exported by the program itself and not recorded.
func RunProgram(st Stack, program pulumi.RunFunc) (*Recording, error) {
	rec := &Recording{Stack: st.Name, Outputs: map[string]Output{}}
	return rec, run(st, rec, program)
}

func run(st Stack, rec *Recording, body pulumi.RunFunc) error {
	rec.Strict = st.Config[st.Project+":mode"] != "disposable"
	m := newMocks(st)
	rec.Region = m.env.Region
	cfgJSON, err := json.Marshal(st.Config)
	if err != nil {
		return fmt.Errorf("marshal config: %w", err)
	}
	envMu.Lock()
	defer envMu.Unlock()
	prev, had := os.LookupEnv(pulumi.EnvConfig)
	os.Setenv(pulumi.EnvConfig, string(cfgJSON))
	defer func() {
		if had {
			os.Setenv(pulumi.EnvConfig, prev)
		} else {
			os.Unsetenv(pulumi.EnvConfig)
		}
	}()
	err = pulumi.RunErr(body,
		pulumi.WithMocks(st.Project, st.Name, m),
		func(info *pulumi.RunInfo) {
			info.Config = maps.Clone(st.Config)
			info.ConfigSecretKeys = slices.Clone(st.SecretKeys)
			info.RootDirectory = st.Dir
		})
	m.mu.Lock()
	rec.Resources = slices.Clone(m.resources)
	m.mu.Unlock()
	// Registration runs concurrently; URN order makes two runs comparable.
	slices.SortFunc(rec.Resources, func(a, b Resource) int { return strings.Compare(a.URN, b.URN) })
	return err
}
