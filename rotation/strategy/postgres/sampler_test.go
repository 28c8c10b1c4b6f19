package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotationtest"
	"github.com/acme/secrets-platform/rotation/engine"
)

// Sampler bounds: it stops by itself after maxSamples or maxSampling even if
// the test forgets to stop it.
const (
	maxSamples       = 5000
	maxSampling      = 2 * time.Minute
	samplerRotations = 20
)

// samples is what one sampler saw.
type samples struct {
	attempts   int
	authFails  int     // logins refused with 28P01/28000
	otherFails []error // anything else: always a test failure
}

// sample runs try until stop is closed or a bound is reached, never faster
// than the loop allows; it is the client that keeps connecting while the
// rotations run.
func sample(stop <-chan struct{}, try func(ctx context.Context) error) samples {
	var s samples
	deadline := time.Now().Add(maxSampling)
	for s.attempts < maxSamples && time.Now().Before(deadline) {
		select {
		case <-stop:
			return s
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := try(ctx)
		cancel()
		s.attempts++
		switch {
		case err == nil:
		case isAuthFailure(err):
			s.authFails++
		default:
			s.otherFails = append(s.otherFails, err)
		}
	}
	return s
}

// stageLogin reads a stage of the secret and logs in with it, as an
// application with a short-lived cache would.
func stageLogin(ctx context.Context, f *fixture, sm *secretsmanager.Client, arn, stage string) error {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String(stage)})
	if err != nil {
		return err
	}
	var v struct{ Username, Password string }
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &v); err != nil {
		// json errors may quote the value: keep only the kind of failure.
		return errors.New("decode secret value: invalid JSON")
	}
	return f.login(ctx, v.Username, v.Password)
}

// fallbackLogin is the client the single-user strategy needs: AWSCURRENT, and
// on an authentication failure AWSPENDING (set but not yet current), then a
// fresh AWSCURRENT (a rotation finished meanwhile).
func fallbackLogin(ctx context.Context, f *fixture, sm *secretsmanager.Client, arn string) error {
	err := stageLogin(ctx, f, sm, arn, engine.StageCurrent)
	if !isAuthFailure(err) {
		return err
	}
	if perr := stageLogin(ctx, f, sm, arn, engine.StagePending); perr == nil {
		return nil
	}
	return stageLogin(ctx, f, sm, arn, engine.StageCurrent)
}

// window is the span in which AWSCURRENT no longer logs in during one
// single-user rotation: at least from the end of setSecret to the start of
// finishSecret, at most from the start of setSecret to the end of finishSecret.
type window struct{ min, max time.Duration }

// rotateTimed runs one rotation and times the steps around the window.
func rotateTimed(t *testing.T, rig *rotationRig, arn string) window {
	t.Helper()
	token := rig.env.StartRotation(t, arn)
	var setStart, setEnd, finishStart, finishEnd time.Time
	for _, step := range rotationtest.Steps() {
		start := time.Now()
		require.NoError(t, rotationtest.Step(t.Context(), rig.h, arn, token, step), step)
		switch step {
		case engine.StepSet:
			setStart, setEnd = start, time.Now()
		case engine.StepFinish:
			finishStart, finishEnd = start, time.Now()
		}
	}
	return window{min: finishStart.Sub(setEnd), max: finishEnd.Sub(setStart)}
}

// TestLoginsDuringRotations keeps clients logging in while rotations run.
func TestLoginsDuringRotations(t *testing.T) {
	tests := []struct {
		name string
		kind string
		// clients: name -> how it logs in
		clients map[string]func(context.Context, *fixture, *secretsmanager.Client, string) error
		// mayFail names the clients allowed to see authentication failures.
		mayFail []string
	}{
		{
			name: "alternating users: AWSCURRENT always logs in",
			kind: "alternating",
			clients: map[string]func(context.Context, *fixture, *secretsmanager.Client, string) error{
				"AWSCURRENT only": func(ctx context.Context, f *fixture, sm *secretsmanager.Client, arn string) error {
					return stageLogin(ctx, f, sm, arn, engine.StageCurrent)
				},
			},
		},
		{
			name: "single user: AWSCURRENT has a window, AWSPENDING fall-back never fails",
			kind: "single",
			clients: map[string]func(context.Context, *fixture, *secretsmanager.Client, string) error{
				"AWSCURRENT only": func(ctx context.Context, f *fixture, sm *secretsmanager.Client, arn string) error {
					return stageLogin(ctx, f, sm, arn, engine.StageCurrent)
				},
				"fall back to AWSPENDING on 28P01": fallbackLogin,
			},
			mayFail: []string{"AWSCURRENT only"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rig := newRig(t, f, tt.kind)
			arn := rig.newSecret(t, "sampled", "app_sampled", true, true)

			stop := make(chan struct{})
			var wg sync.WaitGroup
			results := make(map[string]samples, len(tt.clients))
			var mu sync.Mutex
			for name, login := range tt.clients {
				wg.Go(func() {
					s := sample(stop, func(ctx context.Context) error { return login(ctx, f, rig.env.SM, arn) })
					mu.Lock()
					results[name] = s
					mu.Unlock()
				})
			}
			windows := make([]window, 0, samplerRotations)
			start := time.Now()
			for range samplerRotations {
				windows = append(windows, rotateTimed(t, rig, arn))
			}
			elapsed := time.Since(start)
			close(stop)
			wg.Wait()

			for name, s := range results {
				assert.Empty(t, s.otherFails, "%s: errors other than authentication failures", name)
				assert.GreaterOrEqual(t, s.attempts, samplerRotations, "%s: got %d logins, want at least one per rotation", name, s.attempts)
				if !slices.Contains(tt.mayFail, name) {
					assert.Zero(t, s.authFails, "%s: got %d failed logins in %d, want 0", name, s.authFails, s.attempts)
				}
				t.Logf("%s: %d logins, %d refused, during %d rotations in %v", name, s.attempts, s.authFails, samplerRotations, elapsed.Round(time.Millisecond))
			}
			if tt.kind == "single" {
				mins, maxs := make([]time.Duration, 0, len(windows)), make([]time.Duration, 0, len(windows))
				for _, w := range windows {
					mins, maxs = append(mins, w.min), append(maxs, w.max)
				}
				slices.Sort(mins)
				slices.Sort(maxs)
				t.Logf("single-user window per rotation (AWSCURRENT refused): median between %v and %v, worst at most %v",
					mins[len(mins)/2].Round(time.Microsecond), maxs[len(maxs)/2].Round(time.Microsecond), maxs[len(maxs)-1].Round(time.Microsecond))
			}
		})
	}
}
