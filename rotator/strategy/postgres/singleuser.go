package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// SingleUser rotates the password of one login role while logged in as that
// role, following the rules of AWS's single-user template at a lower cost: the
// current credentials are tried first, so a normal rotation opens exactly two
// connections (one in Set, one in Test) and reads no extra version.
type SingleUser struct {
	parts
}

var (
	_ engine.Strategy   = (*SingleUser)(nil)
	_ engine.ValueNeeds = (*SingleUser)(nil)
)

// Name implements engine.Strategy.
func (s *SingleUser) Name() string { return string(contract.PostgresSingleUser) }

// Needs asks the engine for AWSCURRENT and AWSPENDING only: AWSPREVIOUS
// matters only when both fail to log in, and then Set reads it itself, which
// keeps a normal rotation one GetSecretValue cheaper.
func (s *SingleUser) Needs() engine.Needs {
	return engine.Needs{CurrentInSet: true, PendingInSet: true, PendingInTest: true}
}

// Create copies AWSCURRENT with a new password; from the program's
// placeholder, the first password. A secret that names another server than
// the pinned one is refused here, before anything is stored.
func (s *SingleUser) Create(_ context.Context, r engine.Rotation) ([]byte, error) {
	cur, err := currentOf(r.Current)
	if err != nil {
		return nil, err
	}
	if err := s.conn.check(cur); err != nil {
		return nil, err
	}
	if err := s.schema.checkRole(cur.Username); err != nil {
		return nil, fmt.Errorf("create pending version: %w", err)
	}
	pw, err := s.passwords.Generate()
	if err != nil {
		return nil, err
	}
	return cur.withLogin(cur.Username, pw)
}

// Set makes the database accept the pending password. In order it logs in with
// the current password (the normal case), then the pending one (an earlier
// attempt already set it: nothing to do), then the previous one (a rotation
// moved AWSCURRENT back), and finally, when all are refused and the secret
// names a master, it uses the master to create the role or reset its password
// (the first rotation after deployment, when the role does not exist yet).
// From the program's placeholder, which holds no password to log in with, it
// goes to the master at once: the role is created, or its password reset,
// with the pending password, which no one but the rotator ever saw.
func (s *SingleUser) Set(ctx context.Context, r engine.Rotation) error {
	pending, err := parseCredentials(r.Pending.Value)
	if err != nil {
		return fmt.Errorf("read pending version: %w", err)
	}
	current, err := currentOf(r.Current)
	if err != nil {
		return err
	}
	if !current.sameServer(pending) {
		return errors.New("set pending password: pending and current versions name different users or servers")
	}
	if err := s.schema.checkRole(pending.Username); err != nil {
		return fmt.Errorf("set pending password: %w", err)
	}
	if r.Current.Placeholder {
		if pending.MasterARN == "" {
			return fmt.Errorf("set first password of %s: the secret has no masterarn to create the role with", pending.Username)
		}
		return s.bootstrap(ctx, pending)
	}

	done, err := s.setAs(ctx, loginOf(current), pending)
	if done || err != nil {
		return err
	}
	conn, err := s.conn.connect(ctx, loginOf(pending))
	if err == nil {
		closeQuietly(conn)
		return nil
	}
	if !isAuthFailure(err) {
		return err
	}
	previous, ok, err := s.previous(ctx, r)
	if err != nil {
		return err
	}
	if ok {
		if !previous.sameServer(pending) {
			return errors.New("set pending password: pending and previous versions name different users or servers")
		}
		done, err := s.setAs(ctx, loginOf(previous), pending)
		if done || err != nil {
			return err
		}
	}
	if pending.MasterARN == "" {
		return fmt.Errorf("set pending password: the database refused the current, pending and previous passwords of %s, and the secret has no masterarn to reset it", pending.Username)
	}
	return s.bootstrap(ctx, pending)
}

// setAs logs in with l and sets the pending password. done is false, with no
// error, when the server refused l's credentials, so the caller tries others.
func (s *SingleUser) setAs(ctx context.Context, l login, pending credentials) (done bool, err error) {
	conn, err := s.conn.connect(ctx, l)
	if isAuthFailure(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer closeQuietly(conn)
	if err := setPassword(ctx, conn, pending.Username, pending.Password); err != nil {
		return false, scrub(fmt.Errorf("set pending password: %w", err), l.password)
	}
	return true, nil
}

// previous reads AWSPREVIOUS, only on the rare path where current and pending
// were refused, so that a normal rotation reads no extra version.
func (s *SingleUser) previous(ctx context.Context, r engine.Rotation) (credentials, bool, error) {
	value, ok, err := s.secrets.read(ctx, r.SecretARN, "AWSPREVIOUS")
	if err != nil || !ok {
		return credentials{}, false, err
	}
	c, err := parseCredentials(value)
	if err != nil {
		return credentials{}, false, fmt.Errorf("read previous version: %w", err)
	}
	return c, true, nil
}

// bootstrap logs in as the master and creates the role with its grants, or
// resets its password, and makes sure of a schema split's grants
// (split.ensure): the only time a single-user rotation is the master. Run
// twice it changes nothing but the password hash.
func (s *SingleUser) bootstrap(ctx context.Context, pending credentials) error {
	master, err := s.secrets.masterLogin(ctx, pending)
	if err != nil {
		return err
	}
	conn, err := s.conn.connect(ctx, master)
	if err != nil {
		return fmt.Errorf("bootstrap %s: %w", pending.Username, err)
	}
	defer closeQuietly(conn)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := s.schema.lock(ctx, tx); err != nil {
			return err
		}
		if _, err := ensureLogin(ctx, tx, pending.Username, pending.Password); err != nil {
			return err
		}
		if err := ensureGrants(ctx, tx, pending.Username, pending.DBName, s.grants); err != nil {
			return err
		}
		return s.schema.ensure(ctx, tx, pending.Username)
	})
	if err != nil {
		return scrub(fmt.Errorf("bootstrap %s: %w", pending.Username, err), master.password, pending.Password)
	}
	return nil
}

// Test logs in with the pending credentials and checks whom it is logged in as.
func (s *SingleUser) Test(ctx context.Context, r engine.Rotation) error {
	pending, err := parseCredentials(r.Pending.Value)
	if err != nil {
		return fmt.Errorf("read pending version: %w", err)
	}
	return testLogin(ctx, s.conn, pending, pending.Username)
}

// testLogin logs in as c and runs a query, so that a role that may log in but
// not use the database fails here rather than in the application. The
// session must be c's login role acting as actsAs (c's role itself, or the
// base role a migration login's clone starts as).
func testLogin(ctx context.Context, cn connector, c credentials, actsAs string) error {
	conn, err := cn.connect(ctx, loginOf(c))
	if err != nil {
		return fmt.Errorf("test pending credentials: %w", err)
	}
	defer closeQuietly(conn)
	var session, current string
	if err := conn.QueryRow(ctx, "SELECT session_user, current_user").Scan(&session, &current); err != nil {
		return scrub(fmt.Errorf("test pending credentials: query as %s: %w", c.Username, err), c.Password)
	}
	if session != c.Username || current != actsAs {
		return fmt.Errorf("test pending credentials: logged in as %s acting as %s, want %s acting as %s", session, current, c.Username, actsAs)
	}
	return nil
}
