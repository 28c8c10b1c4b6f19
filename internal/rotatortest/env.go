package rotatortest

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go/middleware"

	"github.com/acme/secrets-platform/internal/testenv"
)

// Env is one moto server acting as Secrets Manager (plus the IAM and Lambda
// that RotateSecret needs) for a test.
type Env struct {
	// Moto is the server; use Moto.Env() to point a subprocess at it.
	Moto *testenv.Moto
	// SM is the test's own Secrets Manager client, for setup and assertions. It
	// counts nothing: give the code under test its own client from Client.
	SM *secretsmanager.Client

	// function is the ARN of the stub rotation function, registered on first use.
	function string
}

// New starts a moto server for the test (stopped at cleanup) and returns an Env
// on it. A missing moto fails the test with the way to get it.
func New(t testing.TB) *Env {
	t.Helper()
	e := &Env{Moto: testenv.NewMoto(t)}
	e.SM = e.Client(nil)
	return e
}

// Config returns an aws.Config for moto: its endpoint and region, and static
// dummy credentials so that nothing can reach real AWS. Extra API options (such
// as a Counter's) are added to every client built from it.
func (e *Env) Config(apiOptions ...func(*middleware.Stack) error) aws.Config {
	return Config(e.Moto, apiOptions...)
}

// Config returns an aws.Config for m; see Env.Config.
func Config(m *testenv.Moto, apiOptions ...func(*middleware.Stack) error) aws.Config {
	return aws.Config{
		Region:       m.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(m.Endpoint),
		APIOptions:   apiOptions,
	}
}

// Client returns a new Secrets Manager client for moto. When c is not nil,
// every call the client makes is counted in c by operation name.
func (e *Env) Client(c *Counter) *secretsmanager.Client {
	if c == nil {
		return secretsmanager.NewFromConfig(e.Config())
	}
	return secretsmanager.NewFromConfig(e.Config(c.Middleware))
}

// Logger returns a slog.Logger that writes to the test log, so that a failing
// test shows the rotator's steps next to its assertions.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// ctx returns a context that ends with the test.
func ctx(t testing.TB) context.Context { return t.Context() }
