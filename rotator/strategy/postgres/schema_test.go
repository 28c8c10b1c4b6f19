package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// sqlstateInsufficientPrivilege is what PostgreSQL answers a statement the
// role may not run: CREATE without CREATE on the schema, ALTER or DROP of a
// table it does not own.
const sqlstateInsufficientPrivilege = "42501"

// splitRounds is how many rotations of each secret follow the first ones.
const splitRounds = 4

// splitCase is one pair of strategies for the application's secret and the
// migration login's, as a stack can configure them.
type splitCase struct {
	name, app, migration string
	// concurrentStart runs both first rotations' setSecret at once, as when
	// the stack is first deployed; otherwise the migration login's first
	// rotation and a migration run before the application's role exists.
	concurrentStart bool
}

// splitRig is the application's and the migration login's secrets, each with
// the engine wired to its strategy, sharing one schema split.
type splitRig struct {
	f                 *fixture
	c                 splitCase
	owner, user       string
	appARN, migARN    string
	appH, migH        *engine.Handler
	rotations         int
	refusals          int
	migrations        int
	migrationsByClone int
}

func newSplitRig(t *testing.T, f *fixture, c splitCase) *splitRig {
	t.Helper()
	r := &splitRig{f: f, c: c, owner: c.name + "_migrator", user: c.name + "_app"}
	cfg := f.config()
	cfg.Logins.Grants = nil // the application's DML comes from the split
	cfg.Logins.Schema = contract.SchemaLogins{Owner: r.owner, User: r.user}
	r.appH, r.migH = splitHandler(t, f, c.app, cfg), splitHandler(t, f, c.migration, cfg)
	placeholder := func(name, user string) string {
		return f.env.CreatePlaceholderSecret(t, "/split/"+c.name+"/"+name, map[string]any{
			"engine": "postgres", "host": f.PG.Host, "port": f.PG.Port, "username": user,
			"dbname": appDB, "ssl": true, "masterarn": f.MasterARN,
		}).ARN
	}
	r.appARN, r.migARN = placeholder("database", r.user), placeholder("database-migrations", r.owner)
	return r
}

// splitHandler wires kind ("single" or "alternating") with cfg through the
// engine.
func splitHandler(t *testing.T, f *fixture, kind string, cfg Config) *engine.Handler {
	t.Helper()
	var s engine.Strategy
	var err error
	if kind == "single" {
		s, err = NewSingleUser(cfg, f.sm)
	} else {
		s, err = NewAlternatingUsers(cfg, f.sm)
	}
	require.NoError(t, err)
	return engine.NewHandler(f.sm, s, nil)
}

// rotate runs one whole rotation of arn and checks its end state.
func (r *splitRig) rotate(t *testing.T, arn string, h *engine.Handler) {
	t.Helper()
	before := r.f.env.Current(t, arn)
	r.f.env.AssertRotated(t, arn, before, r.f.env.Rotate(t, h, arn))
	r.rotations++
}

// startBoth runs both first rotations with their setSecret steps at once.
func (r *splitRig) startBoth(t *testing.T) {
	t.Helper()
	type run struct {
		arn, token string
		h          *engine.Handler
		before     rotatortest.Version
	}
	runs := []run{{arn: r.appARN, h: r.appH}, {arn: r.migARN, h: r.migH}}
	for i := range runs {
		runs[i].before = r.f.env.Current(t, runs[i].arn)
		runs[i].token = r.f.env.StartRotation(t, runs[i].arn)
		rotatortest.RunSteps(t, runs[i].h, runs[i].arn, runs[i].token, engine.StepCreate)
	}
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	for i, x := range runs {
		wg.Go(func() { errs[i] = rotatortest.Step(context.Background(), x.h, x.arn, x.token, engine.StepSet) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...), "concurrent setSecret of both first rotations")
	for _, x := range runs {
		rotatortest.RunSteps(t, x.h, x.arn, x.token, engine.StepTest, engine.StepFinish)
		r.f.env.AssertRotated(t, x.arn, x.before, x.token)
		r.rotations++
	}
}

// connect logs in with the given stage's credentials of arn, with a client of
// the test's own.
func (r *splitRig) connect(t *testing.T, arn, stage string) (*pgx.Conn, string) {
	t.Helper()
	user, pw := decode(t, r.f.env.Value(t, arn, "", stage).Value)
	conn, err := pgx.Connect(t.Context(), r.f.PG.DSN(user, pw, appDB))
	require.NoError(t, err, "%s of %s logs in as %s", stage, arn, user)
	t.Cleanup(func() { closeQuietly(conn) })
	return conn, user
}

// migrate runs statements as one migration with the given stage of the
// migration login's secret.
func (r *splitRig) migrate(t *testing.T, stage string, stmts ...string) {
	t.Helper()
	conn, user := r.connect(t, r.migARN, stage)
	var current string
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT current_user").Scan(&current))
	assert.Equal(t, r.owner, current, "a migration logged in as %s runs as", user)
	for _, s := range stmts {
		_, err := conn.Exec(t.Context(), s)
		require.NoError(t, err, "migration as %s: %s", user, s)
	}
	r.migrations++
	if user != r.owner {
		r.migrationsByClone++
	}
}

// useAsApp reads and writes every table with the given stage of the
// application's secret, and checks that it can create, alter and drop
// nothing.
func (r *splitRig) useAsApp(t *testing.T, stage string, tables []string) {
	t.Helper()
	ctx := t.Context()
	conn, user := r.connect(t, r.appARN, stage)
	for _, tb := range tables {
		for _, s := range []string{
			fmt.Sprintf("INSERT INTO %s (note) VALUES ('by %s')", tb, user),
			fmt.Sprintf("UPDATE %s SET note = note || '!' WHERE note = 'by %s'", tb, user),
			fmt.Sprintf("DELETE FROM %s WHERE id IN (SELECT min(id) FROM %s)", tb, tb),
		} {
			_, err := conn.Exec(ctx, s)
			assert.NoError(t, err, "%s as %s: %s", stage, user, s)
		}
		var n int
		assert.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM "+tb).Scan(&n), "%s as %s reads %s", stage, user, tb)
	}
	for _, s := range []string{
		fmt.Sprintf("CREATE TABLE %s_by_app (id int)", r.c.name),
		fmt.Sprintf("ALTER TABLE %s ADD COLUMN by_app int", tables[0]),
		fmt.Sprintf("DROP TABLE %s", tables[0]),
		fmt.Sprintf("TRUNCATE %s", tables[0]),
		fmt.Sprintf("CREATE SCHEMA %s_app_schema", r.c.name),
	} {
		_, err := conn.Exec(ctx, s)
		var pgErr *pgconn.PgError
		if assert.True(t, errors.As(err, &pgErr), "%s as %s: %s: got %v, want SQLSTATE %s", stage, user, s, err, sqlstateInsufficientPrivilege) {
			assert.Equal(t, sqlstateInsufficientPrivilege, pgErr.Code, "%s as %s: %s: %s", stage, user, s, pgErr.Message)
		}
		r.refusals++
	}
}

// assertOwned checks that the owner owns every table and sequence of the
// case, whichever version of its secret created them.
func (r *splitRig) assertOwned(t *testing.T) {
	t.Helper()
	owners := r.f.SuperQuery(t, `SELECT DISTINCT pg_get_userbyid(c.relowner)::text FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S') AND c.relname LIKE $1`, r.c.name+`\_%`)
	assert.Equal(t, []string{r.owner}, owners, "owners of the case's tables and sequences")
}

// splitState is what the split set up, besides the objects' own ACLs: the
// case's roles and their memberships, role settings and default
// privileges, and the schema's ACL.
func (r *splitRig) splitState(t *testing.T) []string {
	t.Helper()
	return r.f.SuperQuery(t, `SELECT 'member ' || u.rolname || ' of ' || g.rolname || ' admin ' || m.admin_option::text
			FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
			WHERE g.rolname LIKE $1 OR u.rolname LIKE $1
		UNION ALL SELECT 'setting ' || r.rolname || ' ' || array_to_string(s.setconfig, ',')
			FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname LIKE $1
		UNION ALL SELECT 'default ' || pg_get_userbyid(d.defaclrole) || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text
			FROM pg_default_acl d WHERE pg_get_userbyid(d.defaclrole) LIKE $1
		UNION ALL SELECT 'schema ' || n.nspacl::text FROM pg_namespace n WHERE n.nspname = 'public'
		ORDER BY 1`, r.c.name+`\_%`)
}

// TestSchemaSplit proves the schema split against PostgreSQL 15 with TLS: the
// migration login creates and alters tables, the application login reads
// and writes them but may not create, alter, drop or truncate, and both keep
// working across rotations with either strategy. Under alternating users a
// migration run with the clone's credentials creates objects the base role
// owns, and the application can use them.
func TestSchemaSplit(t *testing.T) {
	f := newFixture(t)
	for _, c := range []splitCase{
		{name: "single", app: "single", migration: "single", concurrentStart: true},
		{name: "alternating", app: "alternating", migration: "alternating"},
		{name: "mixed", app: "single", migration: "alternating", concurrentStart: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A database made before PostgreSQL 15 lets PUBLIC create in
			// public: the split must take that away.
			f.SuperExec(t, appDB, "SELECT 'GRANT CREATE ON SCHEMA public TO PUBLIC'")
			r := newSplitRig(t, f, c)
			widgets := c.name + "_widgets"
			tables := []string{widgets}
			create := func(tb string) string {
				return fmt.Sprintf("CREATE TABLE %s (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)", tb)
			}
			if c.concurrentStart {
				r.startBoth(t)
				r.migrate(t, engine.StageCurrent, create(widgets))
			} else {
				r.rotate(t, r.migARN, r.migH)
				r.migrate(t, engine.StageCurrent, create(widgets))
				r.rotate(t, r.appARN, r.appH)
			}
			r.migrate(t, engine.StageCurrent, fmt.Sprintf("ALTER TABLE %s ADD COLUMN size int", widgets))
			r.useAsApp(t, engine.StageCurrent, tables)

			var linked []string
			for i := range splitRounds {
				// Alternate which secret rotates first.
				if i%2 == 0 {
					r.rotate(t, r.migARN, r.migH)
					r.rotate(t, r.appARN, r.appH)
				} else {
					r.rotate(t, r.appARN, r.appH)
					r.rotate(t, r.migARN, r.migH)
				}
				tb := fmt.Sprintf("%s_t%d", c.name, i)
				r.migrate(t, engine.StageCurrent, create(tb), fmt.Sprintf("ALTER TABLE %s ADD COLUMN c%d int", widgets, i))
				tables = append(tables, tb)
				if c.migration == "alternating" {
					// The other version of the secret alters what this one
					// created: both act as the one owner.
					r.migrate(t, engine.StagePrevious, fmt.Sprintf("ALTER TABLE %s ADD COLUMN by_previous int", tb))
				}
				r.useAsApp(t, engine.StageCurrent, tables)
				if c.app == "alternating" {
					r.useAsApp(t, engine.StagePrevious, tables)
				}
				r.assertOwned(t)
				if i == 0 {
					linked = r.splitState(t)
				}
			}
			assert.Equal(t, linked, r.splitState(t), "the split's roles, memberships, settings and default privileges changed after the first round")
			assert.Contains(t, linked, "default "+r.owner+" r {"+r.user+"=arwd/"+r.owner+"}", "the application's default privileges on the owner's tables")
			assert.Contains(t, linked, "default "+r.owner+" S {"+r.user+"=rwU/"+r.owner+"}", "the application's default privileges on the owner's sequences")
			if c.migration == "alternating" {
				assert.Positive(t, r.migrationsByClone, "no migration ran with the clone's credentials")
			}
			assert.Equal(t, []string{"false"}, f.SuperQuery(t,
				"SELECT has_schema_privilege('public', 'public', 'CREATE')::text"), "PUBLIC may still create in public")
			t.Logf("%s: %d rotations, %d migrations (%d with the clone's credentials), %d refusals with SQLSTATE %s checked",
				c.name, r.rotations, r.migrations, r.migrationsByClone, r.refusals, sqlstateInsufficientPrivilege)
		})
	}
}

// TestSchemaSplitRefusesAnotherRole: with a split, a secret naming a role
// that is neither the migration login nor the application's (here the
// master's) is refused before any value is stored, whichever strategy.
func TestSchemaSplitRefusesAnotherRole(t *testing.T) {
	f := newFixture(t)
	cfg := f.config()
	cfg.Logins.Schema = contract.SchemaLogins{Owner: "app_migrator", User: "app"}
	for _, kind := range []string{"single", "alternating"} {
		t.Run(kind, func(t *testing.T) {
			h := splitHandler(t, f, kind, cfg)
			sec := f.env.CreatePlaceholderSecret(t, "/split/intruder/"+kind, map[string]any{
				"engine": "postgres", "host": f.PG.Host, "port": f.PG.Port, "username": "rdsmaster",
				"dbname": appDB, "ssl": true, "masterarn": f.MasterARN,
			})
			before := f.env.Current(t, sec.ARN)
			token := f.env.StartRotation(t, sec.ARN)
			err := rotatortest.Step(t.Context(), h, sec.ARN, token, engine.StepCreate)
			require.Error(t, err)
			assert.ErrorContains(t, err, "names role rdsmaster; this rotator manages app_migrator (migration) and app (application) only")
			f.env.AssertUnchanged(t, sec.ARN, before)
		})
	}
}
