package postgres

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/engine"
)

// TestPlaceholderStartCreatesTheLoginRoles starts each strategy from the
// program's placeholder for a role that does not exist (decision D3: the
// connection fields and the master, no password): the first rotation creates
// the login role through the master with the pending password, so no
// password the database accepts ever passed through Pulumi. Under
// alternating users the second rotation adds the clone, and both versions
// log in.
func TestPlaceholderStartCreatesTheLoginRoles(t *testing.T) {
	f := newFixture(t)
	for _, kind := range []string{"single", "alternating"} {
		t.Run(kind, func(t *testing.T) {
			rig := newRig(t, f, kind)
			user := "ph_" + kind
			sec := f.env.CreatePlaceholderSecret(t, "/placeholder/"+kind, map[string]any{
				"engine": "postgres", "host": f.PG.Host, "port": f.PG.Port, "username": user,
				"dbname": appDB, "ssl": true, "masterarn": f.MasterARN,
			})
			placeholder := f.env.Current(t, sec.ARN)
			var fields map[string]any
			require.NoError(t, json.Unmarshal([]byte(placeholder.Value), &fields))
			assert.NotContains(t, fields, "password", "the placeholder holds a password field")
			require.Empty(t, f.SuperQuery(t, "SELECT rolname FROM pg_roles WHERE rolname = $1", user), "the role exists before the first rotation")

			first := f.env.AssertRotated(t, sec.ARN, placeholder, f.env.Rotate(t, rig.h, sec.ARN))
			firstUser, firstPW := decode(t, first.Value)
			assert.Equal(t, user, firstUser, "the first value's user")
			assert.NoError(t, f.LoginQuery(t.Context(), firstUser, firstPW, "SELECT count(*) FROM public.items"),
				"the first value logs in and reads through its grants")
			assert.Equal(t, []string{user}, f.SuperQuery(t, "SELECT rolname FROM pg_roles WHERE rolname = $1 AND rolcanlogin", user))

			second := f.env.AssertRotated(t, sec.ARN, first, f.env.Rotate(t, rig.h, sec.ARN))
			secondUser, secondPW := decode(t, second.Value)
			assert.NoError(t, f.Login(t.Context(), secondUser, secondPW), "the second value logs in")
			if kind == "alternating" {
				assert.Equal(t, user+cloneSuffix, secondUser, "the second rotation's user")
				assert.NoError(t, f.Login(t.Context(), firstUser, firstPW), "AWSPREVIOUS still logs in under alternating users")
			} else {
				assert.Error(t, f.Login(t.Context(), firstUser, firstPW), "AWSPREVIOUS still logs in under a single user")
			}
			prev := f.env.Value(t, sec.ARN, first.ID, engine.StagePrevious)
			assert.True(t, prev.Value == first.Value, "AWSPREVIOUS is the first value (values not shown)")
		})
	}
}
