package postgres

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
)

// appDB is the fixture's application database.
const appDB = rotatortest.AppDB

// fixture is one PostgreSQL cluster and one moto server for a top-level test,
// with every connection the strategies open counted.
type fixture struct {
	*rotatortest.Database
	env   *rotatortest.Env
	sm    *secretsmanager.Client
	dials atomic.Int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	env := rotatortest.New(t)
	return &fixture{Database: env.NewDatabase(t), env: env, sm: env.SM}
}

// config is the strategies' configuration with TLS verified and every dial
// counted.
func (f *fixture) config() Config {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return Config{
		Logins:       contract.Logins{Grants: []string{"pg_read_all_data", "pg_write_all_data"}, Host: f.PG.Host, Port: f.PG.Port},
		RootCertFile: f.PG.CAFile,
		DialFunc: func(ctx context.Context, network, addr string) (net.Conn, error) {
			f.dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
	}
}

// value is a secret value of the RDS shape for user on the fixture's server.
func (f *fixture) value(t testing.TB, user, password string, withMaster bool) []byte {
	t.Helper()
	return []byte(f.Value(t, user, password, withMaster))
}

// newPassword draws a test password from the strategies' own generator.
func newPassword(t testing.TB) string {
	t.Helper()
	return rotatortest.Password(t)
}
