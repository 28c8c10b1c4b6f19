package pgsecret_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/secretcache"
	"github.com/acme/secrets-platform/secretcache/integration/internal/awstest"
	"github.com/acme/secrets-platform/secretcache/pgsecret"
)

const (
	secretID = "prod/orders/db"
	appRole  = "orders_app"
)

// rig is a real PostgreSQL with an application role whose credentials live
// in an RDS-shaped secret in moto.
type rig struct {
	pg        *testenv.Postgres
	sm        *secretsmanager.Client
	admin     *pgx.Conn
	versionID string // the version that holds AWSCURRENT
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := t.Context()
	pg := testenv.NewPostgres(t)
	m := testenv.NewMoto(t)
	admin, err := pgx.Connect(ctx, pg.AdminDSN())
	require.NoError(t, err, "connect as the superuser")
	t.Cleanup(func() { admin.Close(context.Background()) })
	_, err = admin.Exec(ctx, "CREATE ROLE "+appRole+" LOGIN")
	require.NoError(t, err)

	r := &rig{pg: pg, sm: awstest.Client(t, m), admin: admin}
	pw := newPassword(t)
	r.setRolePassword(t, pw)
	out, err := r.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(secretID), SecretString: aws.String(r.secretJSON(t, pw)),
	})
	require.NoError(t, err)
	r.versionID = aws.ToString(out.VersionId)
	return r
}

// endpoint is the server the application expects: the rig's PostgreSQL.
func (r *rig) endpoint() pgsecret.Endpoint {
	return pgsecret.Endpoint{Host: r.pg.Host, Port: r.pg.Port}
}

// newPassword returns a random password with the characters that break naive
// quoting and URL building.
func newPassword(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b) + `@:/?#%'"\ +`
}

// secretJSON writes the RDS shape, with the port as a string as some tools do.
func (r *rig) secretJSON(t *testing.T, pw string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"engine": "postgres", "host": r.pg.Host, "port": strconv.Itoa(r.pg.Port),
		"username": appRole, "password": pw, "dbname": r.pg.Database, "ssl": true,
	})
	require.NoError(t, err)
	return string(b)
}

// setRolePassword runs ALTER ROLE, which takes no bind parameters: the
// statement is built server-side with format's %I and %L quoting.
func (r *rig) setRolePassword(t *testing.T, pw string) {
	t.Helper()
	var stmt string
	require.NoError(t, r.admin.QueryRow(t.Context(), "SELECT format('ALTER ROLE %I WITH PASSWORD %L', $1::text, $2::text)", appRole, pw).Scan(&stmt))
	_, err := r.admin.Exec(t.Context(), stmt)
	require.NoError(t, err, "alter role password")
}

// rotate is one single-user rotation, in its real order: the new value is
// stored as AWSPENDING, the database accepts it, and only after window does
// AWSCURRENT move. Logins during window find AWSCURRENT refused.
func (r *rig) rotate(t *testing.T, window time.Duration) {
	t.Helper()
	ctx := t.Context()
	token := newToken(t)
	pw := newPassword(t)
	_, err := r.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(secretID), ClientRequestToken: aws.String(token),
		SecretString: aws.String(r.secretJSON(t, pw)), VersionStages: []string{secretcache.StagePending},
	})
	require.NoError(t, err, "createSecret: put AWSPENDING")
	r.setRolePassword(t, pw) // setSecret
	time.Sleep(window)       // testSecret, and the Lambda's own latency
	_, err = r.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(secretID), VersionStage: aws.String(secretcache.StageCurrent),
		MoveToVersionId: aws.String(token), RemoveFromVersionId: aws.String(r.versionID),
	})
	require.NoError(t, err, "finishSecret: move AWSCURRENT")
	// Secrets Manager does not drop AWSPENDING when a rotation completes:
	// our rotator (rotation/engine, finish) leaves it on the new current
	// version, which AWS accepts. This rig removes it itself to mimic a
	// rotator that does, since the pool must survive either shape. Moto
	// accepts both (the test also passes without this call), so it is not
	// here for moto's sake.
	_, err = r.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(secretID), VersionStage: aws.String(secretcache.StagePending),
		RemoveFromVersionId: aws.String(token),
	})
	require.NoError(t, err, "finishSecret: drop AWSPENDING")
	r.versionID = token
}

func newToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// TestPoolSurvivesTwentyRotationsUnderLoad is the proof: a pool
// serving a steady query load (QueryRow, Exec, a transaction and Query in
// turn) while the database secret rotates 20 times in
// single-user order has zero failed queries.
func TestPoolSurvivesTwentyRotationsUnderLoad(t *testing.T) {
	tests := []struct {
		name string
		ttl  time.Duration
	}{
		// The cache keeps the old AWSCURRENT for the whole test, so every
		// login after a rotation depends on recovery.
		{"default TTL 5m", secretcache.DefaultTTL},
		// The cache also picks up each new AWSCURRENT by itself, so logins
		// move between AWSPENDING and AWSCURRENT credentials.
		{"TTL 150ms", 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runRotationLoad(t, tt.ttl) })
	}
}

func runRotationLoad(t *testing.T, ttl time.Duration) {
	r := newRig(t)
	ctx := t.Context()
	api := &awstest.Counting{Client: r.sm}
	cache, err := secretcache.New(api, func(o *secretcache.Options) { o.TTL = ttl })
	require.NoError(t, err)
	conn, err := pgsecret.NewConnector(cache, secretID, r.endpoint(), pgsecret.TLS{CAFile: r.pg.CAFile})
	require.NoError(t, err)
	pool, err := pgsecret.NewPool(ctx, conn, func(pc *pgxpool.Config) {
		// Short-lived connections, so that new logins keep happening during
		// every rotation window instead of the pool coasting on old sessions.
		pc.MaxConns = 4
		pc.MaxConnLifetime = 100 * time.Millisecond
		pc.MaxConnLifetimeJitter = 50 * time.Millisecond
		pc.HealthCheckPeriod = 50 * time.Millisecond
	})
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	require.NoError(t, pool.Ping(ctx), "first login with AWSCURRENT")

	const workers = 4
	var ok, failed atomic.Int64
	var firstErr atomic.Pointer[error]
	// rotated is set once the last rotation has finished; each worker closes
	// its servedAfter channel at its first query that starts after that and
	// succeeds.
	var rotated atomic.Bool
	servedAfter := make([]chan struct{}, workers)
	for w := range workers {
		servedAfter[w] = make(chan struct{})
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			served := false
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				after := rotated.Load()
				err := query(ctx, pool, i, w*1_000_000+i)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, &err)
					continue
				}
				ok.Add(1)
				if after && !served {
					served = true
					close(servedAfter[w])
				}
			}
		})
	}

	const rotations = 20
	for range rotations {
		r.rotate(t, 300*time.Millisecond)
		time.Sleep(300 * time.Millisecond) // logins after the rotation too
	}
	rotated.Store(true)
	// The load must really have run through the last rotation: every worker
	// completes a query after it, however fast the machine is. The deadline
	// only keeps a stuck worker from hanging the test until go test's timeout.
	wait, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for w, ch := range servedAfter {
		select {
		case <-ch:
		case <-wait.Done():
			t.Errorf("worker %d completed no query after the last rotation, want at least one", w)
		}
	}
	close(stop)
	wg.Wait()

	st := conn.Stats()
	t.Logf("rotations=%d queries_ok=%d queries_failed=%d logins=%d refused_logins=%d switches_to_AWSPENDING=%d logins_with_AWSPENDING_credential=%d GetSecretValue_calls=%d",
		rotations, ok.Load(), failed.Load(), st.Connects, st.Refused, st.PendingFallbacks, st.PendingConnects, api.Calls())
	if p := firstErr.Load(); p != nil {
		t.Errorf("first failed query: %v", *p)
	}
	assert.Zero(t, failed.Load(), "failed application queries: got %d, want 0", failed.Load())
	assert.NotZero(t, ok.Load(), "successful application queries: got 0, want the load to have run")
	assert.GreaterOrEqual(t, st.PendingFallbacks, uint64(rotations),
		"every rotation window must have been crossed through AWSPENDING: got %d switches", st.PendingFallbacks)
	assert.NotZero(t, st.PendingConnects, "logins with the AWSPENDING credential")
	assert.Less(t, api.Calls(), int64(20*rotations), "refused logins share refreshes: got %d calls", api.Calls())
}

// query runs one application query, cycling through the Pool methods so
// that each of them meets the rotations, and checks the answer.
func query(ctx context.Context, pool *pgsecret.Pool, i, want int) error {
	var got int
	var err error
	switch i % 4 {
	case 0:
		err = pool.QueryRow(ctx, "SELECT $1::int", want).Scan(&got)
	case 1:
		var tag pgconn.CommandTag
		tag, err = pool.Exec(ctx, "SELECT $1::int", want)
		got = want
		if err == nil && tag.String() != "SELECT 1" {
			err = errors.New("exec answered " + tag.String())
		}
	case 2:
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT $1::int", want).Scan(&got)
		})
	case 3:
		var rows pgx.Rows
		rows, err = pool.Query(ctx, "SELECT $1::int", want)
		if err == nil {
			got, err = pgx.CollectExactlyOneRow(rows, pgx.RowTo[int])
		}
	}
	if err == nil && got != want {
		err = errors.New("query answered the wrong row")
	}
	return err
}

// TestConnectFallsBackToPending opens single connections across one rotation
// window: refused with AWSCURRENT, accepted with AWSPENDING, then AWSCURRENT
// again once it moved.
func TestConnectFallsBackToPending(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	cache, err := secretcache.New(r.sm)
	require.NoError(t, err)
	conn, err := pgsecret.NewConnector(cache, secretID, r.endpoint(), pgsecret.TLS{CAPEM: r.pg.CAPEM})
	require.NoError(t, err)

	c, err := conn.Connect(ctx)
	require.NoError(t, err, "login with AWSCURRENT")
	require.NoError(t, c.Close(ctx))

	// Stop in the middle of a rotation: AWSPENDING is in the database.
	token, pw := newToken(t), newPassword(t)
	_, err = r.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(secretID), ClientRequestToken: aws.String(token),
		SecretString: aws.String(r.secretJSON(t, pw)), VersionStages: []string{secretcache.StagePending},
	})
	require.NoError(t, err)
	r.setRolePassword(t, pw)

	c, err = conn.Connect(ctx)
	require.NoError(t, err, "login during the window")
	require.NoError(t, c.Close(ctx))
	st := conn.Stats()
	assert.Equal(t, uint64(1), st.Refused, "refused logins")
	assert.Equal(t, uint64(1), st.PendingConnects, "logins through AWSPENDING")
	assert.Equal(t, uint64(1), st.PendingFallbacks, "switches to AWSPENDING")

	// A password neither version holds is refused, and said so.
	r.setRolePassword(t, newPassword(t))
	_, err = conn.Connect(ctx)
	require.Error(t, err)
	var pgErr interface{ SQLState() string }
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "28P01", pgErr.SQLState())
	assert.False(t, strings.Contains(err.Error(), pw), "the error carries the AWSPENDING password")
}

// TestWrongCAIsRefusedNotDowngraded proves there is no plaintext fallback:
// with a CA that did not sign the server's certificate the login fails.
func TestWrongCAIsRefusedNotDowngraded(t *testing.T) {
	r := newRig(t)
	cache, err := secretcache.New(r.sm)
	require.NoError(t, err)
	other := testenv.NewPostgres(t) // a different cluster, so a different CA
	conn, err := pgsecret.NewConnector(cache, secretID, r.endpoint(), pgsecret.TLS{CAPEM: other.CAPEM})
	require.NoError(t, err)
	_, err = conn.Connect(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate", "got %v, want a certificate verification error", err)
}

// TestPoolMethodsReleaseConnections runs every query method of Pool and
// checks that each gives its connection back, and that a caller's
// AfterConnect still runs after the connector's.
func TestPoolMethodsReleaseConnections(t *testing.T) {
	r := newRig(t)
	// A leaked connection makes the next Acquire wait: fail, do not hang.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cache, err := secretcache.New(r.sm)
	require.NoError(t, err)
	conn, err := pgsecret.NewConnector(cache, secretID, r.endpoint(), pgsecret.TLS{CAFile: r.pg.CAFile})
	require.NoError(t, err)
	_, err = r.admin.Exec(ctx, "CREATE TABLE copy_target (n int); GRANT INSERT ON copy_target TO "+appRole)
	require.NoError(t, err)
	var userHook atomic.Int64
	pool, err := pgsecret.NewPool(ctx, conn, func(pc *pgxpool.Config) {
		pc.MaxConns = 2
		pc.AfterConnect = func(context.Context, *pgx.Conn) error { userHook.Add(1); return nil }
	})
	require.NoError(t, err)
	t.Cleanup(pool.Close)

	steps := []struct {
		name string
		run  func() error
	}{
		{"Exec", func() error { _, err := pool.Exec(ctx, "SELECT 1"); return err }},
		{"Query read to the end", func() error {
			rows, err := pool.Query(ctx, "SELECT generate_series(1, 3)")
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				n++
			}
			if n != 3 {
				return errors.New("want 3 rows")
			}
			return rows.Err()
		}},
		{"Query closed early", func() error {
			rows, err := pool.Query(ctx, "SELECT generate_series(1, 3)")
			if err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		}},
		{"QueryRow no rows", func() error {
			var n int
			if err := pool.QueryRow(ctx, "SELECT 1 WHERE false").Scan(&n); !errors.Is(err, pgx.ErrNoRows) {
				return errors.New("want pgx.ErrNoRows")
			}
			return nil
		}},
		{"Begin Commit", func() error {
			tx, err := pool.Begin(ctx)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "SELECT 1"); err != nil {
				return err
			}
			if err := tx.Commit(ctx); err != nil {
				return err
			}
			_ = tx.Rollback(ctx) // the usual deferred Rollback after Commit: must not release twice
			return nil
		}},
		{"Ping", func() error { return pool.Ping(ctx) }},
		{"SendBatch", func() error {
			b := &pgx.Batch{}
			b.Queue("SELECT 1")
			b.Queue("SELECT 2")
			br := pool.SendBatch(ctx, b)
			var n int
			if err := br.QueryRow().Scan(&n); err != nil || n != 1 {
				return errors.Join(err, errors.New("want 1"))
			}
			return br.Close()
		}},
		{"CopyFrom", func() error {
			_, err := pool.CopyFrom(ctx, pgx.Identifier{"copy_target"}, []string{"n"}, pgx.CopyFromRows([][]any{{1}, {2}}))
			return err
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			for range 3 { // more than MaxConns: a leaked connection would block
				require.NoError(t, s.run())
			}
			assert.Zero(t, pool.Stat().AcquiredConns(), "connections still acquired after %s", s.name)
		})
	}
	assert.Equal(t, int64(conn.Stats().Connects), userHook.Load(), "the caller's AfterConnect ran for every login")
}
