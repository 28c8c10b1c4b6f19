package postgres

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// assertNoSecret fails when an error message carries any of the passwords.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err != nil {
		assertNoLeak(t, err.Error(), secrets...)
	}
}

// assertNoLeak fails when text holds any of the secrets. Unlike
// assert.NotContains it never prints them: the failure names the secret's
// position in the list only.
func assertNoLeak(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("text leaks secret #%d of %d (not shown); want no secret in it", i+1, len(secrets))
		}
	}
}

// TestSingleUserSet covers every branch of Set against the real server: which
// credentials log in, how many connections that takes, and what the database
// accepts afterwards.
func TestSingleUserSet(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	tests := []struct {
		name string
		// dbPassword is the role's password in the database before Set;
		// "" means the role does not exist.
		dbPassword          string
		current, previous   string // passwords in the versions ("" previous: none)
		masterARN           bool
		pendingUser         string // "" means the same user
		pendingHost         string // "" means the same host
		wantErr             string
		wantDials           int64
		wantPendingLogsIn   bool
		wantCurrentRejected bool
	}{
		{name: "current logs in", dbPassword: "cur", current: "cur", wantDials: 1, wantPendingLogsIn: true, wantCurrentRejected: true},
		{name: "already set by an earlier attempt", dbPassword: "pending", current: "cur", wantDials: 2, wantPendingLogsIn: true, wantCurrentRejected: true},
		{name: "previous logs in", dbPassword: "prev", current: "cur", previous: "prev", wantDials: 3, wantPendingLogsIn: true, wantCurrentRejected: true},
		{name: "nothing logs in, master resets", dbPassword: "lost", current: "cur", previous: "prev", masterARN: true, wantDials: 4, wantPendingLogsIn: true, wantCurrentRejected: true},
		{name: "nothing logs in, no master", dbPassword: "lost", current: "cur", previous: "prev", wantDials: 3, wantErr: "no masterarn"},
		{name: "role missing, master creates it", current: "cur", masterARN: true, wantDials: 3, wantPendingLogsIn: true, wantCurrentRejected: true},
		{name: "other user in pending", dbPassword: "cur", current: "cur", pendingUser: "intruder", wantErr: "different users or servers"},
		{name: "other host in pending", dbPassword: "cur", current: "cur", pendingHost: "localhost", wantErr: "different users or servers"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := "app_su_" + string(rune('a'+i))
			pw := map[string]string{"cur": newPassword(t), "prev": newPassword(t), "pending": newPassword(t), "lost": newPassword(t)}
			if tt.dbPassword != "" {
				f.CreateRole(t, user, pw[tt.dbPassword])
			}
			pendingUser := user
			if tt.pendingUser != "" {
				pendingUser = tt.pendingUser
			}
			pendingValue := f.value(t, pendingUser, pw["pending"], tt.masterARN)
			if tt.pendingHost != "" {
				pendingValue = []byte(strings.Replace(string(pendingValue), `"host":"127.0.0.1"`, `"host":"`+tt.pendingHost+`"`, 1))
			}
			// Set reads AWSPREVIOUS itself, so the secret's versions live in
			// moto: the previous value first (when there is one), then the
			// current one, which makes the first AWSPREVIOUS.
			current := f.value(t, user, pw[tt.current], tt.masterARN)
			first := current
			if tt.previous != "" {
				first = f.value(t, user, pw[tt.previous], tt.masterARN)
			}
			sec := f.env.CreateSecret(t, fmt.Sprintf("su-set-%d", i), string(first))
			if tt.previous != "" {
				_, err := f.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
					SecretId: aws.String(sec.ARN), SecretString: aws.String(string(current)),
				})
				require.NoError(t, err)
			}
			r := engine.Rotation{
				SecretARN: sec.ARN,
				Token:     "token",
				Current:   engine.Version{ID: "v1", Value: current},
				Pending:   engine.Version{ID: "token", Value: pendingValue},
			}
			s, err := NewSingleUser(f.config(), f.sm)
			require.NoError(t, err)

			f.dials.Store(0)
			err = s.Set(ctx, r)
			assertNoSecret(t, err, pw["cur"], pw["prev"], pw["pending"], pw["lost"], f.MasterPassword)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantDials, f.dials.Load(), "connections opened by Set: got %d, want %d", f.dials.Load(), tt.wantDials)
			if tt.wantPendingLogsIn {
				assert.NoError(t, f.Login(ctx, user, pw["pending"]), "pending password should log in")
			}
			if tt.wantCurrentRejected {
				err := f.Login(ctx, user, pw["cur"])
				require.Error(t, err, "current password still logs in after Set")
				assert.True(t, isAuthFailure(err), "got %v, want an authentication failure", err)
			}

			// Set is idempotent: a retry with the same token succeeds and
			// leaves the pending password working.
			require.NoError(t, s.Set(ctx, r), "second Set")
			assert.NoError(t, f.Login(ctx, user, pw["pending"]))
		})
	}
}

// TestBootstrapIsIdempotent proves that the first rotation creates the role
// with its grants and that forcing the master path again changes nothing but
// the password.
func TestBootstrapIsIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const user = "app_boot"
	s, err := NewSingleUser(f.config(), f.sm)
	require.NoError(t, err)
	snapshot := func() []string {
		return f.SuperQuery(t, `
			SELECT 'role ' || rolname || ' login=' || rolcanlogin || ' super=' || rolsuper || ' createrole=' || rolcreaterole
			  FROM pg_roles WHERE rolname = $1
			UNION ALL
			SELECT 'member ' || g.rolname || ' admin=' || m.admin_option
			  FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
			 WHERE u.rolname = $1
			UNION ALL
			SELECT 'datacl ' || coalesce(datacl::text, 'default') FROM pg_database WHERE datname = $2
			ORDER BY 1`, user, appDB)
	}
	before := snapshot()
	require.Len(t, before, 1, "only the default datacl before bootstrap: got %v", before)

	first, second := newPassword(t), newPassword(t)
	rotation := func(current, pending string) engine.Rotation {
		return engine.Rotation{
			SecretARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:none", Token: "t",
			Current: engine.Version{ID: "c", Value: f.value(t, user, current, true)},
			Pending: engine.Version{ID: "t", Value: f.value(t, user, pending, true)},
		}
	}
	require.NoError(t, s.Set(ctx, rotation(newPassword(t), first)), "bootstrap")
	created := snapshot()
	wantCreated := []string{
		"datacl {=Tc/rdsmaster,rdsmaster=CTc/rdsmaster,app_boot=c/rdsmaster}",
		"member pg_read_all_data admin=false",
		"member pg_write_all_data admin=false",
		"role app_boot login=true super=false createrole=false",
	}
	assert.Equal(t, wantCreated, created, "roles and grants after bootstrap")
	assert.NoError(t, f.LoginQuery(ctx, user, first, "INSERT INTO public.items VALUES (2, 'two')"), "bootstrapped role writes")

	// All three passwords wrong again: the master path runs on an existing role.
	require.NoError(t, s.Set(ctx, rotation(newPassword(t), second)), "bootstrap again")
	assert.Equal(t, created, snapshot(), "second bootstrap changed roles or grants")
	assert.NoError(t, f.Login(ctx, user, second), "reset password logs in")
	assert.Error(t, f.Login(ctx, user, first), "old password still logs in")
}

// TestSingleUserTest proves Test really logs in.
func TestSingleUserTest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good, bad := newPassword(t), newPassword(t)
	f.CreateRole(t, "app_test", good)
	s, err := NewSingleUser(f.config(), f.sm)
	require.NoError(t, err)

	tests := []struct {
		name     string
		password string
		wantErr  bool
	}{
		{name: "right password", password: good},
		{name: "wrong password", password: bad, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.dials.Store(0)
			err := s.Test(ctx, engine.Rotation{Pending: engine.Version{ID: "t", Value: f.value(t, "app_test", tt.password, false)}})
			assert.Equal(t, int64(1), f.dials.Load(), "connections opened by Test")
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, isAuthFailure(err), "got %v, want SQLSTATE 28P01", err)
			assertNoSecret(t, err, good, bad)
		})
	}
}

// TestSingleUserSetStopsOnNetworkError proves that only an authentication
// failure makes Set try other credentials: a server that cannot be reached
// would refuse them all the same, and each try costs a connect timeout.
func TestSingleUserSetStopsOnNetworkError(t *testing.T) {
	port, err := testenv.FreePort() // nothing listens on it
	require.NoError(t, err)
	var dials atomic.Int64
	d := &net.Dialer{Timeout: time.Second}
	s, err := NewSingleUser(Config{Logins: contract.Logins{Host: "127.0.0.1", Port: port}, DialFunc: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}}, nil)
	require.NoError(t, err)
	cur, pending := newPassword(t), newPassword(t)
	value := func(pw string) []byte {
		return []byte(fmt.Sprintf(`{"engine":"postgres","host":"127.0.0.1","port":%d,"username":"app","password":%q,"masterarn":"arn:m"}`, port, pw))
	}
	err = s.Set(context.Background(), engine.Rotation{
		Current: engine.Version{Value: value(cur)},
		Pending: engine.Version{Value: value(pending)},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "log in as app")
	assert.False(t, isAuthFailure(err), "got an authentication failure, want a network error")
	assert.Equal(t, int64(1), dials.Load(), "connections: got %d, want 1 (no other credentials tried)", dials.Load())
	assertNoSecret(t, err, cur, pending)
}
