package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
)

// Sampler bounds: it stops by itself after maxSamples or maxSampling even if
// the test forgets to stop it.
const (
	maxSamples       = 5000
	maxSampling      = 2 * time.Minute
	samplerRotations = 20
	// rotationGap separates rotations, which production runs hours apart, so
	// that few client attempts span two rotations (see spansTwoRotations).
	rotationGap = 250 * time.Millisecond
)

// samples is what one sampler saw.
type samples struct {
	attempts   int
	slowest    time.Duration // longest attempt: must stay under rotationGap
	authFails  int           // logins refused with 28P01/28000
	lastAuth   error         // the last refusal, for the report
	refusals   []span        // when each refused attempt ran
	otherFails []error       // anything else: always a test failure
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
		start := time.Now()
		err := try(ctx)
		end := time.Now()
		s.slowest = max(s.slowest, end.Sub(start))
		cancel()
		s.attempts++
		switch {
		case err == nil:
		case isAuthFailure(err):
			s.authFails++
			s.lastAuth = err
			s.refusals = append(s.refusals, span{start, end})
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
	return f.Login(ctx, v.Username, v.Password)
}

// fallbackLogin is the client the single-user strategy needs: AWSCURRENT, and
// on an authentication failure AWSPENDING (set but not yet current), then a
// fresh AWSCURRENT (a rotation finished meanwhile).
func fallbackLogin(ctx context.Context, f *fixture, sm *secretsmanager.Client, arn string) error {
	err := stageLogin(ctx, f, sm, arn, engine.StageCurrent)
	if !isAuthFailure(err) {
		return err
	}
	perr := stageLogin(ctx, f, sm, arn, engine.StagePending)
	if perr == nil {
		return nil
	}
	cerr := stageLogin(ctx, f, sm, arn, engine.StageCurrent)
	if cerr == nil {
		return nil
	}
	// Every attempt's error, for the failure report: none holds a value.
	return fmt.Errorf("AWSCURRENT: %v; AWSPENDING: %v; AWSCURRENT again: %w", err, perr, cerr)
}

// window is the span in which AWSCURRENT no longer logs in during one
// single-user rotation: at least from the end of setSecret to the start of
// finishSecret, at most from the start of setSecret to the end of finishSecret.
type window struct {
	min, max  time.Duration
	set       span      // when setSecret ran
	finishEnd time.Time // when finishSecret returned
}

// span is an interval of wall time.
type span struct{ start, end time.Time }

func (a span) overlaps(b span) bool { return a.start.Before(b.end) && b.start.Before(a.end) }

// spansTwoRotations reports whether s began before one rotation's
// finishSecret ended and lasted past the start of the next one's setSecret.
// Such an attempt may read a version, see the password change under it, and
// read again only after a second change: no client that reads each stage once
// per attempt can follow that, with either strategy. Production rotations are
// hours apart, so the samplers count these apart instead of failing on them.
func spansTwoRotations(s span, windows []window) bool {
	for k := 0; k+1 < len(windows); k++ {
		if s.start.Before(windows[k].finishEnd) && s.end.After(windows[k+1].set.start) {
			return true
		}
	}
	return false
}

// rotateTimed runs one rotation and times the steps around the window.
func rotateTimed(t *testing.T, rig *rotationRig, arn string) window {
	t.Helper()
	token := rig.env.StartRotation(t, arn)
	var setStart, setEnd, finishStart, finishEnd time.Time
	for _, step := range rotatortest.Steps() {
		start := time.Now()
		require.NoError(t, rotatortest.Step(t.Context(), rig.h, arn, token, step), step)
		switch step {
		case engine.StepSet:
			setStart, setEnd = start, time.Now()
		case engine.StepFinish:
			finishStart, finishEnd = start, time.Now()
		}
	}
	return window{min: finishStart.Sub(setEnd), max: finishEnd.Sub(setStart), set: span{setStart, setEnd}, finishEnd: finishEnd}
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
				time.Sleep(rotationGap)
			}
			elapsed := time.Since(start)
			close(stop)
			wg.Wait()

			for name, s := range results {
				assert.Empty(t, s.otherFails, "%s: errors other than authentication failures", name)
				assert.GreaterOrEqual(t, s.attempts, samplerRotations, "%s: got %d logins, want at least one per rotation", name, s.attempts)
				spanning := 0
				for _, r := range s.refusals {
					if spansTwoRotations(r, windows) {
						spanning++
					}
				}
				if spanning > 0 {
					t.Logf("%s: %d refused attempts spanned two rotations (%v apart), not counted", name, spanning, rotationGap)
				}
				if !slices.Contains(tt.mayFail, name) {
					assert.Zero(t, s.authFails-spanning, "%s: got %d failed logins in %d (%d more spanned two rotations), want 0; last: %v",
						name, s.authFails-spanning, s.attempts, spanning, s.lastAuth)
				}
				t.Logf("%s: %d logins, %d refused, slowest attempt %v, during %d rotations in %v",
					name, s.attempts, s.authFails, s.slowest.Round(time.Millisecond), samplerRotations, elapsed.Round(time.Millisecond))
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
