package postgres

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
)

// Names the fixture creates. The master is an RDS-like master: CREATEROLE and
// owner of the application database, not a superuser.
const (
	masterUser = "rdsmaster"
	appDB      = "appdb"
)

// fixture is one PostgreSQL cluster and one moto server for a top-level test.
type fixture struct {
	pg        *testenv.Postgres
	moto      *testenv.Moto
	sm        *secretsmanager.Client
	masterARN string
	masterPW  string
	dials     atomic.Int64
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{pg: testenv.NewPostgres(t), moto: testenv.NewMoto(t)}
	f.sm = secretsmanager.NewFromConfig(aws.Config{
		Region:       f.moto.Region,
		Credentials:  awscreds.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(f.moto.Endpoint),
	})
	gen, err := newPasswordGenerator(32, "")
	require.NoError(t, err)
	f.masterPW, err = gen.generate()
	require.NoError(t, err)
	f.superExec(t, "postgres", "SELECT format('CREATE ROLE %I WITH LOGIN CREATEROLE PASSWORD %L', $1::text, $2::text)", masterUser, f.masterPW)
	f.superExec(t, "postgres", "SELECT format('CREATE DATABASE %I OWNER %I', $1::text, $2::text)", appDB, masterUser)
	f.superExec(t, appDB, "SELECT 'CREATE TABLE public.items (id int PRIMARY KEY, name text)'")
	f.superExec(t, appDB, "SELECT 'INSERT INTO public.items VALUES (1, ''one'')'")
	master, err := json.Marshal(map[string]string{"username": masterUser, "password": f.masterPW})
	require.NoError(t, err)
	out, err := f.sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String("rds!db-master"), SecretString: aws.String(string(master)),
	})
	require.NoError(t, err)
	f.masterARN = aws.ToString(out.ARN)
	return f
}

// superExec builds a statement with the query (server-side format) and runs
// it as the superuser on db.
func (f *fixture) superExec(t testing.TB, db, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.pg.DSN(f.pg.SuperUser, f.pg.SuperPassword, db))
	require.NoError(t, err, "connect as superuser")
	defer conn.Close(ctx)
	var stmt string
	require.NoError(t, conn.QueryRow(ctx, query, args...).Scan(&stmt))
	_, err = conn.Exec(ctx, stmt)
	require.NoError(t, err, "run statement")
}

// superQuery returns the rows of a query as the superuser on appDB, as text.
func (f *fixture) superQuery(t testing.TB, query string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.pg.DSN(f.pg.SuperUser, f.pg.SuperPassword, appDB))
	require.NoError(t, err, "connect as superuser")
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, query, args...)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}

// createRole makes a login role with the password and membership in groups.
func (f *fixture) createRole(t testing.TB, name, password string, groups ...string) {
	t.Helper()
	f.superExec(t, "postgres", "SELECT format('CREATE ROLE %I WITH LOGIN PASSWORD %L', $1::text, $2::text)", name, password)
	for _, g := range groups {
		f.superExec(t, "postgres", "SELECT format('GRANT %I TO %I', $1::text, $2::text)", g, name)
	}
}

// config is the strategies' configuration with TLS verified and every dial
// counted.
func (f *fixture) config() Config {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return Config{
		RootCertFile: f.pg.CAFile,
		Grants:       []string{"pg_read_all_data", "pg_write_all_data"},
		DialFunc: func(ctx context.Context, network, addr string) (net.Conn, error) {
			f.dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
	}
}

// value is a secret value of the RDS shape for user on the fixture's server.
func (f *fixture) value(t testing.TB, user, password string, withMaster bool) []byte {
	t.Helper()
	m := map[string]any{
		"engine": "postgres", "host": f.pg.Host, "port": strconv.Itoa(f.pg.Port),
		"username": user, "password": password, "dbname": appDB, "ssl": true,
	}
	if withMaster {
		m["masterarn"] = f.masterARN
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// login tries the credentials with a client of its own (not the strategy's
// connector) and runs query, and returns the error.
func (f *fixture) login(ctx context.Context, user, password string) error {
	return f.loginQuery(ctx, user, password, "SELECT 1")
}

// loginQuery logs in and runs query.
func (f *fixture) loginQuery(ctx context.Context, user, password, query string) error {
	conn, err := pgx.Connect(ctx, f.pg.DSN(user, password, appDB))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, query)
	return err
}

// password draws a test password from the strategies' own generator.
func password(t testing.TB) string {
	t.Helper()
	gen, err := newPasswordGenerator(32, "")
	require.NoError(t, err)
	pw, err := gen.generate()
	require.NoError(t, err)
	return pw
}
