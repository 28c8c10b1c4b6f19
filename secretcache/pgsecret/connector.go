package pgsecret

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/acme/secrets-platform/secretcache"
)

// sqlstateInvalidPassword is what PostgreSQL answers a login whose password
// is wrong.
const sqlstateInvalidPassword = "28P01"

// creds is the part of the secret that rotation changes.
type creds struct{ user, password string }

// fallback records that the database refused AWSCURRENT and accepted, or is
// expected to accept, AWSPENDING. It applies only while the cached
// AWSCURRENT still equals badCurrent, so it ends by itself once the
// rotation moves AWSCURRENT and the cache sees it.
type fallback struct {
	badCurrent creds
	pending    creds
}

// ConnectorStats count logins; they are what a rotation test reports.
type ConnectorStats struct {
	// Connects is the number of logins that succeeded.
	Connects uint64
	// Refused is the number of logins refused with SQLSTATE 28P01.
	Refused uint64
	// PendingConnects is how many successful logins used the credential
	// that recovery took from AWSPENDING while the cached AWSCURRENT was the
	// refused one (it stays in use until the cache sees the new AWSCURRENT).
	PendingConnects uint64
	// PendingFallbacks is how many times recovery switched to AWSPENDING
	// because AWSCURRENT was refused.
	PendingFallbacks uint64
}

// Connector supplies the credentials of one RDS secret to pgx, read through a
// secretcache.Cache, and decides what to try after a refused login.
type Connector struct {
	cache    *secretcache.Cache
	secretID string
	server   Endpoint
	tls      TLS
	now      func() time.Time

	fb                                           atomic.Pointer[fallback]
	connects, refused, pendingConnect, fallbacks atomic.Uint64
}

// NewConnector returns a connector for the RDS secret secretID on the
// database server the caller expects (from its own configuration, not the
// secret): a version of the secret that names another server is refused
// before any connection.
func NewConnector(cache *secretcache.Cache, secretID string, server Endpoint, t TLS) (*Connector, error) {
	if cache == nil || secretID == "" || server.Host == "" {
		return nil, errors.New("new connector: cache, secret ID and the expected server's host are required")
	}
	// The cache's clock, so that "fetched since the refused login" compares
	// times from one source.
	return &Connector{cache: cache, secretID: secretID, server: server, tls: t, now: cache.Options().Clock.Now}, nil
}

// Stats returns the login counters.
func (k *Connector) Stats() ConnectorStats {
	return ConnectorStats{Connects: k.connects.Load(), Refused: k.refused.Load(), PendingConnects: k.pendingConnect.Load(), PendingFallbacks: k.fallbacks.Load()}
}

// secret returns one version of the secret, decoded (and cached) by the cache.
func (k *Connector) secret(ctx context.Context, stage string) (Secret, error) {
	s, err := secretcache.GetJSONVersion[Secret](ctx, k.cache, k.secretID, secretcache.Version{Stage: stage})
	if err != nil {
		return Secret{}, fmt.Errorf("read database secret %s: %w", stage, err)
	}
	if err := s.check(); err != nil {
		return Secret{}, fmt.Errorf("read database secret %s: %w", stage, err)
	}
	if err := k.server.check(s); err != nil {
		return Secret{}, fmt.Errorf("read database secret %s: %w", stage, err)
	}
	return s, nil
}

// ConnConfig returns a pgx config for the secret's database, as AWSCURRENT
// describes it now.
func (k *Connector) ConnConfig(ctx context.Context) (*pgx.ConnConfig, error) {
	s, err := k.secret(ctx, secretcache.StageCurrent)
	if err != nil {
		return nil, err
	}
	return s.ConnConfig(k.server, k.tls)
}

// PoolConfig returns a pgxpool config for the secret's database with the
// connector's BeforeConnect and AfterConnect installed, for callers that
// build the pool themselves; the pool then needs Pool's Acquire retry to
// survive rotation, so prefer NewPool.
func (k *Connector) PoolConfig(ctx context.Context) (*pgxpool.Config, error) {
	pc, err := k.basePoolConfig(ctx)
	if err != nil {
		return nil, err
	}
	pc.BeforeConnect = k.BeforeConnect
	pc.AfterConnect = k.AfterConnect
	return pc, nil
}

// basePoolConfig is the pool config without hooks.
func (k *Connector) basePoolConfig(ctx context.Context) (*pgxpool.Config, error) {
	s, err := k.secret(ctx, secretcache.StageCurrent)
	if err != nil {
		return nil, err
	}
	// Stand-in credentials, so that the config's ConnString never holds a
	// password; BeforeConnect sets the real ones per login.
	pc, err := pgxpool.ParseConfig(Secret{Host: s.Host, Port: s.Port, DBName: s.DBName, Username: "-", Password: "-"}.url(url.Values{"sslmode": {"disable"}, "sslrootcert": {""}}))
	if err != nil {
		return nil, fmt.Errorf("%w: host, port or dbname do not form a connection string", ErrInvalidSecret)
	}
	if err := k.tls.apply(s, &pc.ConnConfig.Config); err != nil {
		return nil, err
	}
	return pc, nil
}

// BeforeConnect is a pgxpool BeforeConnect hook: it sets the user and
// password of the next login, AWSCURRENT unless the database refused it and
// AWSPENDING was found to replace it.
func (k *Connector) BeforeConnect(ctx context.Context, cfg *pgx.ConnConfig) error {
	s, err := k.secret(ctx, secretcache.StageCurrent)
	if err != nil {
		return err
	}
	c := creds{s.Username, s.Password}
	if fb := k.fb.Load(); fb != nil && fb.badCurrent == c {
		c = fb.pending
	}
	cfg.User, cfg.Password = c.user, c.password
	return nil
}

// AfterConnect is a pgxpool AfterConnect hook that counts logins, and
// among them those that used the AWSPENDING credential in place of the
// cached AWSCURRENT.
func (k *Connector) AfterConnect(ctx context.Context, conn *pgx.Conn) error {
	k.connects.Add(1)
	used := creds{conn.Config().User, conn.Config().Password}
	if fb := k.fb.Load(); fb != nil && fb.pending == used {
		// Only a counter depends on this read: a failure leaves it uncounted
		// rather than failing a login that worked.
		if cur, err := k.secret(ctx, secretcache.StageCurrent); err == nil && (creds{cur.Username, cur.Password}) != used {
			k.pendingConnect.Add(1)
		}
	}
	return nil
}

// refusedCreds returns the credentials of a login that PostgreSQL refused
// with 28P01, or false for any other error.
func refusedCreds(err error) (creds, bool) {
	var ce *pgconn.ConnectError
	var pe *pgconn.PgError
	if !errors.As(err, &ce) || !errors.As(err, &pe) || pe.Code != sqlstateInvalidPassword || ce.Config == nil {
		return creds{}, false
	}
	return creds{ce.Config.User, ce.Config.Password}, true
}

// recover decides what to try after a login that started at since was
// refused with refused. It refetches AWSCURRENT (a fetch that began after
// since is good enough, so a burst of refused logins shares one call); if
// that is a different credential, the next login uses it. If AWSCURRENT
// still holds the refused one, the rotation is in its single-user window, so
// it fetches AWSPENDING and uses that. When there is no usable AWSPENDING the
// rotation may have finished between the two reads, so AWSCURRENT is read
// once more. It reports whether there is anything new to try. Retrying the
// very credential that was just refused is skipped: it cannot succeed and
// costs a failed login in the database's log.
func (k *Connector) recover(ctx context.Context, refused creds, since time.Time) (bool, error) {
	k.refused.Add(1)
	c, err := k.currentSince(ctx, since)
	if err != nil {
		return false, err
	}
	if k.usable(c, refused) {
		return true, nil
	}
	pendingAt := k.now()
	p, perr := k.pendingSince(ctx, since)
	if perr == nil && p != refused {
		k.fb.Store(&fallback{badCurrent: c, pending: p})
		k.fallbacks.Add(1)
		return true, nil
	}
	if c, err = k.currentSince(ctx, pendingAt); err != nil {
		return false, errors.Join(perr, err)
	}
	return k.usable(c, refused), perr
}

// usable reports whether AWSCURRENT c is worth a login after refused.
func (k *Connector) usable(c, refused creds) bool {
	if c == refused {
		return false
	}
	fb := k.fb.Load()
	return fb == nil || fb.badCurrent != c
}

func (k *Connector) currentSince(ctx context.Context, since time.Time) (creds, error) {
	return k.credsSince(ctx, secretcache.StageCurrent, since)
}

func (k *Connector) pendingSince(ctx context.Context, since time.Time) (creds, error) {
	return k.credsSince(ctx, secretcache.StagePending, since)
}

// credsSince returns the credentials of one stage as fetched after since.
func (k *Connector) credsSince(ctx context.Context, stage string, since time.Time) (creds, error) {
	if _, err := k.cache.RefreshSince(ctx, k.secretID, secretcache.Version{Stage: stage}, since); err != nil {
		return creds{}, fmt.Errorf("refresh %s after refused login: %w", stage, err)
	}
	s, err := k.secret(ctx, stage)
	if err != nil {
		return creds{}, err
	}
	return creds{s.Username, s.Password}, nil
}

// Connect opens one connection (outside any pool) with the same recovery:
// a refused login is retried with a refreshed AWSCURRENT, then AWSPENDING.
func (k *Connector) Connect(ctx context.Context) (*pgx.Conn, error) {
	for attempt := 0; ; attempt++ {
		cfg, err := k.ConnConfig(ctx)
		if err != nil {
			return nil, err
		}
		if err := k.BeforeConnect(ctx, cfg); err != nil {
			return nil, err
		}
		since := k.now()
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err == nil {
			return conn, k.AfterConnect(ctx, conn)
		}
		if again, rerr := k.retry(ctx, err, since, attempt); !again {
			return nil, fmt.Errorf("connect to database: %w", errors.Join(err, rerr))
		}
	}
}

// maxLoginAttempts is the first login, one with a refreshed AWSCURRENT and
// one with AWSPENDING.
const maxLoginAttempts = 3

// retry reports whether a failed login should be attempted again; when not,
// it returns what stopped recovery (nil if the error was not a refused login).
func (k *Connector) retry(ctx context.Context, err error, since time.Time, attempt int) (bool, error) {
	refused, ok := refusedCreds(err)
	if !ok || attempt+1 >= maxLoginAttempts {
		return false, nil
	}
	return k.recover(ctx, refused, since)
}
