package rotatortest

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/password"
)

// Names a Database creates. The master is an RDS-like master: CREATEROLE and
// owner of the application database, not a superuser.
const (
	// masterUser is the master role.
	masterUser = "rdsmaster"
	// AppDB is the application database, holding public.items.
	AppDB = "appdb"
)

// Database is a PostgreSQL cluster with TLS set up as RDS sets one up for the
// postgres rotators, its master credentials in a secret of the Env's moto.
type Database struct {
	// PG is the cluster; PG.CAFile verifies its certificate.
	PG *testenv.Postgres
	// MasterARN is the master secret, {"username","password"} as RDS keeps it.
	MasterARN string
	// MasterPassword is the master's password, for leak checks.
	MasterPassword string
}

// NewDatabase starts a cluster for the test (stopped at cleanup), creates the
// master role, the application database with one table, and the master
// secret in e's moto. A missing PostgreSQL fails the test with the way to get it.
func (e *Env) NewDatabase(t testing.TB) *Database {
	t.Helper()
	d := &Database{PG: testenv.NewPostgres(t), MasterPassword: Password(t)}
	d.SuperExec(t, "postgres", "SELECT format('CREATE ROLE %I WITH LOGIN CREATEROLE PASSWORD %L', $1::text, $2::text)", masterUser, d.MasterPassword)
	d.SuperExec(t, "postgres", "SELECT format('CREATE DATABASE %I OWNER %I', $1::text, $2::text)", AppDB, masterUser)
	d.SuperExec(t, AppDB, "SELECT 'CREATE TABLE public.items (id int PRIMARY KEY, name text)'")
	d.SuperExec(t, AppDB, "SELECT 'INSERT INTO public.items VALUES (1, ''one'')'")
	master, err := json.Marshal(map[string]string{"username": masterUser, "password": d.MasterPassword})
	if err != nil {
		t.Fatalf("encode master secret: %v", err)
	}
	out, err := e.SM.CreateSecret(ctx(t), &secretsmanager.CreateSecretInput{
		Name: aws.String("rds!db-master-" + NewToken()[:8]), SecretString: aws.String(string(master)),
	})
	if err != nil {
		t.Fatalf("create master secret: %v", err)
	}
	d.MasterARN = aws.ToString(out.ARN)
	return d
}

// errNotRDSShape is LoginValue's error for a value it cannot read; it quotes
// nothing of the value.
var errNotRDSShape = errors.New("value is not an RDS-shaped secret")

// Password draws a test password from the rotators' own generator.
func Password(t testing.TB) string {
	t.Helper()
	g, err := password.New(contract.PasswordShape{}, "")
	if err != nil {
		t.Fatalf("password generator: %v", err)
	}
	pw, err := g.Generate()
	if err != nil {
		t.Fatalf("generate password: %v", err)
	}
	return pw
}

// SuperExec builds a statement with query (server-side format, so that no
// quoting happens in Go) and runs it as the superuser on db.
func (d *Database) SuperExec(t testing.TB, db, query string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(ctx(t), d.PG.DSN(d.PG.SuperUser, d.PG.SuperPassword, db))
	if err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	defer conn.Close(context.Background())
	var stmt string
	if err := conn.QueryRow(ctx(t), query, args...).Scan(&stmt); err != nil {
		t.Fatalf("build statement: %v", err)
	}
	if _, err := conn.Exec(ctx(t), stmt); err != nil {
		t.Fatalf("run statement: %v", err)
	}
}

// SuperQuery returns the rows of a one-column query as the superuser on
// AppDB.
func (d *Database) SuperQuery(t testing.TB, query string, args ...any) []string {
	t.Helper()
	conn, err := pgx.Connect(ctx(t), d.PG.DSN(d.PG.SuperUser, d.PG.SuperPassword, AppDB))
	if err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx(t), query, args...)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("read rows: %v", err)
	}
	return out
}

// CreateRole makes a login role with password and membership in groups.
func (d *Database) CreateRole(t testing.TB, name, password string, groups ...string) {
	t.Helper()
	d.SuperExec(t, "postgres", "SELECT format('CREATE ROLE %I WITH LOGIN PASSWORD %L', $1::text, $2::text)", name, password)
	for _, g := range groups {
		d.SuperExec(t, "postgres", "SELECT format('GRANT %I TO %I', $1::text, $2::text)", g, name)
	}
}

// Value is a secret value of the RDS shape for user on this server, naming
// the master secret when withMaster is set.
func (d *Database) Value(t testing.TB, user, password string, withMaster bool) string {
	t.Helper()
	m := map[string]any{
		"engine": "postgres", "host": d.PG.Host, "port": strconv.Itoa(d.PG.Port),
		"username": user, "password": password, "dbname": AppDB, "ssl": true,
	}
	if withMaster {
		m["masterarn"] = d.MasterARN
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encode secret value: %v", err)
	}
	return string(b)
}

// Login logs in as user with a client of its own (not a rotator's) and runs
// a query; it returns why that failed.
func (d *Database) Login(ctx context.Context, user, password string) error {
	return d.LoginQuery(ctx, user, password, "SELECT 1")
}

// LoginQuery logs in as user on AppDB and runs query.
func (d *Database) LoginQuery(ctx context.Context, user, password, query string) error {
	conn, err := pgx.Connect(ctx, d.PG.DSN(user, password, AppDB))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, query)
	return err
}

// LoginValue logs in with the credentials of an RDS-shaped secret value.
func (d *Database) LoginValue(ctx context.Context, value string) error {
	var v struct{ Username, Password string }
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		// The json error could quote the value.
		return errNotRDSShape
	}
	return d.Login(ctx, v.Username, v.Password)
}
