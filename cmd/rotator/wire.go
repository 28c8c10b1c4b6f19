package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

// The environment variables the rotator itself reads.
const (
	envStrategy    = "ROTATION_STRATEGY"
	envLogLevel    = "ROTATION_LOG_LEVEL"
	envHTTPTimeout = "ROTATION_HTTP_TIMEOUT"
)

const defaultHTTPTimeout = 10 * time.Second

// newHandler builds everything once per Lambda instance: the AWS config, the
// clients, the strategy, the engine's Handler and, for strategies that revoke
// replaced keys, the grace sweeper. getenv is os.Getenv in production; logs
// go to out.
func newHandler(ctx context.Context, getenv func(string) string, out io.Writer) (*dispatcher, error) {
	log, err := newLogger(getenv(envLogLevel), out)
	if err != nil {
		return nil, err
	}
	name := getenv(envStrategy)
	if name == "" {
		return nil, fmt.Errorf("%s is not set; want one of %s", envStrategy, known())
	}
	construct, ok := strategies()[name]
	if !ok {
		return nil, fmt.Errorf("%s=%q is unknown; want one of %s", envStrategy, name, known())
	}
	timeout := defaultHTTPTimeout
	if v := getenv(envHTTPTimeout); v != "" {
		if timeout, err = time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("read %s: %w", envHTTPTimeout, err)
		}
		if timeout <= 0 {
			// Zero means no timeout to net/http: a hung provider would hold
			// the rotation until the Lambda itself times out.
			return nil, fmt.Errorf("read %s: %q is not a positive duration", envHTTPTimeout, v)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	deps := engine.Deps{
		Getenv:         getenv,
		SecretsManager: sm,
		HTTP:           newHTTPClient(timeout),
		Now:            time.Now,
	}
	s, err := construct(ctx, deps)
	if err != nil {
		return nil, fmt.Errorf("build strategy %s: %w", name, err)
	}
	d := &dispatcher{rotate: engine.NewHandler(sm, s, log).Handle, log: log}
	// A strategy that revokes replaced keys also answers the schedule's
	// revoke-expired event, with the very strategy built above.
	if revoker, ok := s.(grace.Revoker); ok {
		period, err := grace.PeriodFromEnv(getenv)
		if err != nil {
			return nil, fmt.Errorf("build sweeper %s: %w", name, err)
		}
		sw, err := grace.NewSweeper(sm, revoker, period, time.Now)
		if err != nil {
			return nil, fmt.Errorf("build sweeper %s: %w", name, err)
		}
		d.sweep = sw.Sweep
	}
	return d, nil
}

func newLogger(level string, out io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if level != "" {
		if err := l.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("read %s: %w", envLogLevel, err)
		}
	}
	return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: l})), nil
}

func known() string {
	return strings.Join(slices.Sorted(maps.Keys(strategies())), ", ")
}

// newHTTPClient is the client for third-party key APIs. It follows no
// redirect: net/http would resend the admin credential's Authorization header
// to a redirect on the same host even from https to http, and no key API
// this rotator speaks answers with a redirect on purpose.
func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
