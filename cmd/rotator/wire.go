package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
	"github.com/acme/secrets-platform/rotator/metric"
)

// envFunctionName is set by Lambda itself (a reserved variable, not a
// setting the program writes): the function's name, which the metrics are
// dimensioned by.
const envFunctionName = "AWS_LAMBDA_FUNCTION_NAME"

// httpTimeout bounds each call to a third-party key API. net/http's zero
// would mean none: a hung provider would hold the rotation until the Lambda
// itself times out.
const httpTimeout = 10 * time.Second

// newHandler builds everything once per Lambda instance: the settings, read
// only through contract.FromEnv, the AWS config, the clients, the strategy,
// the engine's Handler and, for strategies that revoke replaced keys, the
// grace sweeper. getenv is os.Getenv in production; logs go to out, as JSON
// lines at level info.
func newHandler(ctx context.Context, getenv func(string) string, out io.Writer) (*dispatcher, error) {
	log := slog.New(slog.NewJSONHandler(out, nil))
	settings, err := contract.FromEnv(getenv)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	d := engine.Deps{
		Settings:       settings,
		SecretsManager: secretsmanager.NewFromConfig(cfg),
		HTTP:           newHTTPClient(),
		Now:            time.Now,
	}
	if fn := getenv(envFunctionName); fn != "" {
		// Metrics go to the same output as the logs: Lambda sends both to
		// the function's log group, where CloudWatch extracts them.
		if d.Metrics, err = metric.New(out, fn, time.Now); err != nil {
			return nil, err
		}
	}
	return newDispatcher(ctx, d, testSettings(getenv), log)
}

// newDispatcher builds the strategy of d.Settings and the handlers that use it.
func newDispatcher(ctx context.Context, d engine.Deps, test contract.TestSettings, log *slog.Logger) (*dispatcher, error) {
	name := d.Settings.Strategy
	construct, ok := strategies(test)[name]
	if !ok {
		return nil, fmt.Errorf("strategy %q has no constructor", name)
	}
	s, err := construct(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("build strategy %s: %w", name, err)
	}
	disp := &dispatcher{rotate: engine.NewHandler(d.SecretsManager, s, log).Handle, log: log}
	// A strategy that revokes replaced keys also answers the schedule's
	// sweep event, with the very strategy built above.
	if revoker, ok := s.(grace.Revoker); ok {
		sw, err := grace.NewSweeper(d.SecretsManager, revoker, d.Settings.KeyAPI.Grace, d.Now)
		if err != nil {
			return nil, fmt.Errorf("build sweeper %s: %w", name, err)
		}
		disp.sweep = sw.Sweep
	}
	return disp, nil
}

// newHTTPClient is the client for third-party key APIs. It follows no
// redirect: net/http would resend the admin credential's Authorization header
// to a redirect on the same host even from https to http, and no key API
// this rotator speaks answers with a redirect on purpose.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: httpTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
