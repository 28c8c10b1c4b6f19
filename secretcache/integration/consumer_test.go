package integration_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/secretcache/integration/internal/gocmd"
)

const (
	secretcacheModule = "github.com/acme/secrets-platform/secretcache"
	// repoModules is the prefix of every module of this repository.
	repoModules = "github.com/acme/secrets-platform"
)

// consumerMain imports the three packages an application uses, so that their
// dependencies must all resolve.
const consumerMain = `// Command consumer depends on secretcache the way a service outside the
// repository does.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/secretcache"
	"github.com/acme/secrets-platform/secretcache/keyring"
	"github.com/acme/secrets-platform/secretcache/pgsecret"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	cache, err := secretcache.New(secretsmanager.NewFromConfig(cfg))
	if err != nil {
		log.Fatal(err)
	}
	server := pgsecret.Endpoint{Host: "orders.abc123.eu-west-1.rds.amazonaws.com", Port: 5432}
	conn, err := pgsecret.NewConnector(cache, "prod/orders/db", server, pgsecret.TLS{CAFile: "/etc/rds/global-bundle.pem"})
	if err != nil {
		log.Fatal(err)
	}
	pool, err := pgsecret.NewPool(ctx, conn, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	value, err := cache.GetBytes(ctx, "prod/orders/encryption-key")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := keyring.Parse(value); err != nil {
		log.Fatal(err)
	}
}
`

// TestApplicationCanDependOnSecretcache is what a stranger does: a new module
// in an empty folder requires secretcache (the only replace is in its own
// go.mod, pointing at this checkout), imports secretcache, pgsecret and
// keyring, and must tidy, build, vet, list and download its whole module
// graph with no go.work and the go.mod allowed to change. Any requirement of
// secretcache that exists only through a replace directive of its own (such
// as this repository's test environment) fails go mod tidy here. The module
// cache may be warm; the proxy stays the default.
func TestApplicationCanDependOnSecretcache(t *testing.T) {
	src := gocmd.ModuleDir(t, secretcacheModule)
	app := t.TempDir()
	gomod := fmt.Sprintf("module example.com/consumer\n\ngo 1.26.6\n\nrequire %s v0.0.0-00010101000000-000000000000\n\nreplace %s => %s\n",
		secretcacheModule, secretcacheModule, src)
	require.NoError(t, os.WriteFile(filepath.Join(app, "go.mod"), []byte(gomod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(app, "main.go"), []byte(consumerMain), 0o644))

	// GOFLAGS keeps what go env already sets (this machine's -buildvcs=false)
	// and adds -mod=mod, so that tidy and list may update go.mod and go.sum.
	flags, err := gocmd.Run(t.Context(), app, []string{"GOWORK=off"}, "env", "GOFLAGS")
	require.NoError(t, err, flags)
	env := []string{"GOWORK=off", "GOFLAGS=" + strings.TrimSpace(strings.TrimSpace(flags)+" -mod=mod")}

	var listed string
	for _, args := range [][]string{
		{"mod", "tidy"},
		{"build", "./..."},
		{"vet", "./..."},
		{"list", "-m", "all"},
		{"mod", "download", "all"},
	} {
		out, err := gocmd.Run(t.Context(), app, env, args...)
		t.Logf("$ go %s: %s", strings.Join(args, " "), summary(out, err))
		require.NoError(t, err, "go %s in the consumer module\n%s", strings.Join(args, " "), out)
		if args[0] == "list" {
			listed = out
		}
	}

	var ours []string
	for line := range strings.Lines(listed) {
		if strings.HasPrefix(line, repoModules) {
			ours = append(ours, strings.Fields(line)[0])
		}
	}
	assert.Equal(t, []string{secretcacheModule}, ours, "modules of this repository in the consumer's build list")
	t.Logf("go list -m all (%d modules):\n%s", strings.Count(listed, "\n"), listed)
}

// summary is one line for the test log: ok or the error, and how much the
// command printed (the list is logged in full separately).
func summary(out string, err error) string {
	status := "ok"
	if err != nil {
		status = err.Error()
	}
	lines := strings.Count(out, "\n")
	if lines == 0 {
		return status
	}
	first, _, _ := strings.Cut(out, "\n")
	return fmt.Sprintf("%s (%d lines of output, first: %s)", status, lines, first)
}
