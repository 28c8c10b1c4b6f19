package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// TestAlternatingUsersSet covers Set as the master against the real server:
// which roles exist afterwards, their memberships, who logs in, and that it
// takes one connection.
func TestAlternatingUsersSet(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	wrongMaster, err := f.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("wrong-master"), SecretString: aws.String(`{"username":"rdsmaster","password":"not-the-password"}`),
	})
	require.NoError(t, err)

	tests := []struct {
		name        string
		baseExists  bool
		cloneExists bool
		pendingBase bool   // pending names the base role, not the clone
		masterARN   string // "" means the fixture's master; "none" means no masterarn
		wantErr     string
	}{
		{name: "clone missing: created as a member of the base role", baseExists: true},
		{name: "clone exists: its password is set", baseExists: true, cloneExists: true},
		{name: "back to the base role", baseExists: true, cloneExists: true, pendingBase: true},
		{name: "first rotation: both roles created", baseExists: false},
		{name: "base missing and pending: created with the pending password", pendingBase: true},
		{name: "no masterarn", baseExists: true, masterARN: "none", wantErr: "no masterarn"},
		{name: "master refused", baseExists: true, masterARN: aws.ToString(wrongMaster.ARN), wantErr: "SQLSTATE 28P01"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := fmt.Sprintf("alt_%d", i)
			clone := base + cloneSuffix
			basePW, clonePW, pendingPW := newPassword(t), newPassword(t), newPassword(t)
			if tt.baseExists {
				f.CreateRole(t, base, basePW, "pg_read_all_data")
			}
			if tt.cloneExists {
				f.CreateRole(t, clone, clonePW, base)
			}
			current, pending := base, clone
			currentPW := basePW
			if tt.pendingBase {
				current, pending, currentPW = clone, base, clonePW
			}
			cur := f.value(t, current, currentPW, true)
			pend := f.value(t, pending, pendingPW, true)
			switch tt.masterARN {
			case "":
			case "none":
				pend = f.value(t, pending, pendingPW, false)
			default:
				pend = []byte(`{"engine":"postgres","host":"` + f.PG.Host + `","port":` + fmt.Sprint(f.PG.Port) +
					`,"username":"` + pending + `","password":"` + pendingPW + `","dbname":"` + appDB + `","masterarn":"` + tt.masterARN + `"}`)
			}
			s, err := NewAlternatingUsers(f.config(), f.sm)
			require.NoError(t, err)

			f.dials.Store(0)
			err = s.Set(ctx, engine.Rotation{
				SecretARN: "arn:unused", Token: "t",
				Current: engine.Version{ID: "c", Value: cur},
				Pending: engine.Version{ID: "t", Value: pend},
			})
			assertNoSecret(t, err, basePW, clonePW, pendingPW, f.MasterPassword, "not-the-password")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, int64(1), f.dials.Load(), "connections opened by Set: got %d, want 1 (master)", f.dials.Load())
			assert.NoError(t, f.LoginQuery(ctx, pending, pendingPW, "SELECT count(*) FROM public.items"), "pending role logs in and reads")
			if !tt.pendingBase {
				assert.NoError(t, f.Login(ctx, base, basePW), "base role (AWSCURRENT) still logs in")
				got := f.SuperQuery(t, `SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
					JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`, clone)
				assert.Equal(t, []string{base}, got, "memberships of the clone")
			}
			if tt.pendingBase && tt.cloneExists {
				assert.NoError(t, f.Login(ctx, clone, clonePW), "clone (AWSCURRENT) still logs in")
			}

			require.NoError(t, s.Set(ctx, engine.Rotation{
				SecretARN: "arn:unused", Token: "t",
				Current: engine.Version{ID: "c", Value: cur},
				Pending: engine.Version{ID: "t", Value: pend},
			}), "second Set")
			assert.NoError(t, f.Login(ctx, pending, pendingPW), "pending role logs in after a retried Set")
		})
	}
}

// TestMasterWithoutClient proves a missing Secrets Manager client is an error,
// not a nil-pointer panic, when the master is needed.
func TestMasterWithoutClient(t *testing.T) {
	s, err := NewAlternatingUsers(Config{Logins: contract.Logins{Host: "127.0.0.1", Port: 5432}}, nil)
	require.NoError(t, err)
	err = s.Set(context.Background(), engine.Rotation{Pending: engine.Version{Value: []byte(
		`{"engine":"postgres","host":"127.0.0.1","username":"u_clone","password":"p","masterarn":"arn:m"}`)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no Secrets Manager client")
}
