package postgres

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
)

// Budgets of one single-user rotation on the normal path, engine included.
const (
	maxSingleUserCalls       = 11
	maxSingleUserConnections = 2
)

// rotationRig is a fixture plus the engine wired to a strategy, with every
// Secrets Manager call of engine and strategy counted.
type rotationRig struct {
	*fixture
	env   *rotatortest.Env
	calls *rotatortest.Counter
	h     *engine.Handler
}

// newRig wires kind ("single" or "alternating") through the engine.
func newRig(t testing.TB, f *fixture, kind string) *rotationRig {
	t.Helper()
	r := &rotationRig{fixture: f, env: f.env, calls: rotatortest.NewCounter()}
	client := r.env.Client(r.calls)
	var s engine.Strategy
	var err error
	if kind == "single" {
		s, err = NewSingleUser(f.config(), client)
	} else {
		s, err = NewAlternatingUsers(f.config(), client)
	}
	require.NoError(t, err)
	r.h = engine.NewHandler(client, s, nil)
	return r
}

// decode reads username and password of a secret value in a test.
func decode(t testing.TB, value string) (user, password string) {
	t.Helper()
	var v struct{ Username, Password string }
	require.NoError(t, json.Unmarshal([]byte(value), &v))
	return v.Username, v.Password
}

// newSecret creates a role (unless absent) and its secret, and returns the ARN.
func (r *rotationRig) newSecret(t testing.TB, name, user string, createRole, withMaster bool) string {
	t.Helper()
	pw := newPassword(t)
	if createRole {
		r.CreateRole(t, user, pw, "pg_read_all_data")
	}
	return r.env.CreateSecret(t, name, string(r.value(t, user, pw, withMaster))).ARN
}

// TestSingleUserRotation runs whole rotations through the engine against moto
// and the TLS PostgreSQL, for what is particular to the strategy; what every
// strategy must survive (steps twice, crashes, abandoned and wrong tokens, a
// failing testSecret, the configuration test) is the conformance suite, run
// from cmd/rotator.
func TestSingleUserRotation(t *testing.T) {
	f := newFixture(t)
	rig := newRig(t, f, "single")
	ctx := context.Background()
	steps := rotatortest.Steps()

	t.Run("normal path stays within the call and connection budgets", func(t *testing.T) {
		arn := rig.newSecret(t, "su-budget", "su_budget", true, false)
		before := rig.env.Current(t, arn)
		_, oldPW := decode(t, before.Value)
		rig.calls.Reset()
		f.dials.Store(0)
		token := rig.env.Rotate(t, rig.h, arn)
		now := rig.env.AssertRotated(t, arn, before, token)

		assert.LessOrEqual(t, rig.calls.Total(), maxSingleUserCalls, "Secrets Manager calls: got %v, want at most %d", rig.calls.Counts(), maxSingleUserCalls)
		assert.Equal(t, int64(maxSingleUserConnections), f.dials.Load(), "database connections: got %d, want %d", f.dials.Load(), maxSingleUserConnections)
		user, newPW := decode(t, now.Value)
		assert.NoError(t, f.Login(ctx, user, newPW), "new AWSCURRENT logs in")
		err := f.Login(ctx, user, oldPW)
		require.Error(t, err, "old password still logs in")
		assert.True(t, isAuthFailure(err), "old password: got %v, want SQLSTATE 28P01", err)
		t.Logf("single-user rotation: %d Secrets Manager calls %v, %d connections", rig.calls.Total(), rig.calls.Counts(), f.dials.Load())
	})

	t.Run("AWSCURRENT stops working between setSecret and finishSecret", func(t *testing.T) {
		arn := rig.newSecret(t, "su-window", "su_window", true, false)
		before := rig.env.Current(t, arn)
		user, oldPW := decode(t, before.Value)
		token := rig.env.StartRotation(t, arn)
		rotatortest.RunSteps(t, rig.h, arn, token, engine.StepCreate, engine.StepSet)

		err := f.Login(ctx, user, oldPW)
		require.Error(t, err, "AWSCURRENT still logs in after setSecret")
		assert.True(t, isAuthFailure(err), "got %v, want SQLSTATE 28P01", err)
		_, pendingPW := decode(t, rig.env.Value(t, arn, token, engine.StagePending).Value)
		assert.NoError(t, f.Login(ctx, user, pendingPW), "AWSPENDING logs in inside the window")

		rotatortest.RunSteps(t, rig.h, arn, token, engine.StepTest, engine.StepFinish)
		rig.env.AssertRotated(t, arn, before, token)
	})

	t.Run("first rotation creates the role, the next changes no grant", func(t *testing.T) {
		const user = "su_boot"
		arn := rig.newSecret(t, "su-boot", user, false, true)
		snapshot := func() []string {
			return f.SuperQuery(t, `SELECT 'member ' || g.rolname FROM pg_auth_members m
				JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1
				UNION ALL SELECT 'role ' || rolname || ' ' || rolcanlogin FROM pg_roles WHERE rolname = $1
				UNION ALL SELECT 'datacl ' || coalesce(datacl::text, 'default') FROM pg_database WHERE datname = $2 ORDER BY 1`, user, appDB)
		}
		require.Equal(t, []string{"datacl default"}, snapshot(), "role must be absent before")

		for i := range 2 {
			before := rig.env.Current(t, arn)
			token := rig.env.Rotate(t, rig.h, arn)
			now := rig.env.AssertRotated(t, arn, before, token)
			_, pw := decode(t, now.Value)
			assert.NoError(t, f.LoginQuery(ctx, user, pw, "SELECT count(*) FROM public.items"), "rotation %d: role reads", i+1)
			assert.Equal(t, []string{
				"datacl {=Tc/rdsmaster,rdsmaster=CTc/rdsmaster,su_boot=c/rdsmaster}",
				"member pg_read_all_data",
				"member pg_write_all_data",
				"role su_boot true",
			}, snapshot(), "rotation %d: roles and grants", i+1)
		}
	})

	t.Run("50 rotations in a row", func(t *testing.T) {
		arn := rig.newSecret(t, "su-fifty", "su_fifty", true, false)
		failures := 0
		for i := range 50 {
			before := rig.env.Current(t, arn)
			_, oldPW := decode(t, before.Value)
			token := rig.env.StartRotation(t, arn)
			for _, step := range steps {
				if err := rotatortest.Step(ctx, rig.h, arn, token, step); err != nil {
					failures++
					t.Errorf("rotation %d, %s: %v", i+1, step, err)
					break
				}
			}
			now := rig.env.AssertRotated(t, arn, before, token)
			user, pw := decode(t, now.Value)
			assert.NoError(t, f.Login(ctx, user, pw), "rotation %d: AWSCURRENT logs in", i+1)
			assert.Error(t, f.Login(ctx, user, oldPW), "rotation %d: replaced password still logs in", i+1)
		}
		assert.Equal(t, 0, failures, "failed rotations: got %d, want 0", failures)
	})
}

// TestAlternatingUsersRotation runs whole alternating-users rotations, for what
// is particular to the strategy (see TestSingleUserRotation).
func TestAlternatingUsersRotation(t *testing.T) {
	f := newFixture(t)
	rig := newRig(t, f, "alternating")
	ctx := context.Background()
	steps := rotatortest.Steps()

	t.Run("users alternate and the previous one keeps working", func(t *testing.T) {
		arn := rig.newSecret(t, "au-alt", "au_alt", true, true)
		v0 := rig.env.Current(t, arn)
		rig.calls.Reset()
		f.dials.Store(0)
		t1 := rig.env.Rotate(t, rig.h, arn)
		v1 := rig.env.AssertRotated(t, arn, v0, t1)
		calls, conns := rig.calls.Total(), f.dials.Load()
		assert.Equal(t, int64(2), conns, "connections per rotation: master in Set, pending in Test")
		t.Logf("alternating rotation: %d Secrets Manager calls %v, %d connections", calls, rig.calls.Counts(), conns)

		u0, p0 := decode(t, v0.Value)
		u1, p1 := decode(t, v1.Value)
		assert.Equal(t, "au_alt", u0)
		assert.Equal(t, "au_alt_clone", u1, "first rotation moves to the clone")
		assert.NoError(t, f.Login(ctx, u1, p1), "AWSCURRENT (clone) logs in")
		assert.NoError(t, f.Login(ctx, u0, p0), "AWSPREVIOUS (base) still logs in")
		assert.NoError(t, f.LoginQuery(ctx, u1, p1, "SELECT count(*) FROM public.items"), "clone has the base user's read grant")

		t2 := rig.env.Rotate(t, rig.h, arn)
		v2 := rig.env.AssertRotated(t, arn, v1, t2)
		u2, p2 := decode(t, v2.Value)
		assert.Equal(t, "au_alt", u2, "second rotation moves back to the base user")
		assert.NoError(t, f.Login(ctx, u2, p2), "AWSCURRENT (base) logs in")
		assert.NoError(t, f.Login(ctx, u1, p1), "AWSPREVIOUS (clone) still logs in")
		assert.Error(t, f.Login(ctx, u0, p0), "the base user's password from two rotations ago still logs in")
	})

	t.Run("first rotation creates both roles", func(t *testing.T) {
		arn := rig.newSecret(t, "au-boot", "au_boot", false, true)
		v0 := rig.env.Current(t, arn)
		token := rig.env.Rotate(t, rig.h, arn)
		v1 := rig.env.AssertRotated(t, arn, v0, token)
		for _, v := range []rotatortest.Version{v0, v1} {
			u, p := decode(t, v.Value)
			assert.NoError(t, f.LoginQuery(ctx, u, p, "SELECT count(*) FROM public.items"), "%s logs in and reads", u)
		}
	})

	t.Run("50 rotations in a row", func(t *testing.T) {
		arn := rig.newSecret(t, "au-fifty", "au_fifty", true, true)
		failures := 0
		for i := range 50 {
			before := rig.env.Current(t, arn)
			token := rig.env.StartRotation(t, arn)
			for _, step := range steps {
				if err := rotatortest.Step(ctx, rig.h, arn, token, step); err != nil {
					failures++
					t.Errorf("rotation %d, %s: %v", i+1, step, err)
					break
				}
			}
			now := rig.env.AssertRotated(t, arn, before, token)
			for _, v := range []rotatortest.Version{before, now} {
				u, p := decode(t, v.Value)
				assert.NoError(t, f.Login(ctx, u, p), "rotation %d: %s logs in", i+1, u)
			}
		}
		assert.Equal(t, 0, failures, "failed rotations: got %d, want 0", failures)
	})
}
