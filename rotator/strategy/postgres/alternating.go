package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// cloneSuffix names the second role, as AWS's alternating-users template does.
const cloneSuffix = "_clone"

// maxIdentifierBytes is PostgreSQL's NAMEDATALEN-1: a longer role name would be
// truncated silently and the secret would name a role that does not exist.
const maxIdentifierBytes = 63

// AlternatingUsers alternates between two login roles, <user> and
// <user>_clone, setting passwords as the master user. The version that leaves
// AWSCURRENT keeps its role and password, so clients holding it keep logging in
// until the rotation after next changes that role's password.
//
// The clone is made a member of the base role, so it holds every privilege the
// base role holds, now and later. With a schema split (contract.SchemaLogins)
// the migration login's clone also starts every session as the base role
// (ALTER ROLE ... SET role), so what a migration creates with either version
// of the secret is owned by the base role.
type AlternatingUsers struct {
	parts
}

var (
	_ engine.Strategy   = (*AlternatingUsers)(nil)
	_ engine.ValueNeeds = (*AlternatingUsers)(nil)
)

// Name implements engine.Strategy.
func (a *AlternatingUsers) Name() string { return string(contract.PostgresAlternatingUsers) }

// Needs asks the engine for AWSPENDING only: Set logs in as the master, not
// as the current user.
func (a *AlternatingUsers) Needs() engine.Needs {
	return engine.Needs{PendingInSet: true, PendingInTest: true}
}

// Create copies AWSCURRENT with the other username and a new password. From
// the program's placeholder it keeps the base username: the first rotation
// creates the base role with the pending password, and the clone follows at
// the next. A secret that names another server than the pinned one is
// refused here, before anything is stored.
func (a *AlternatingUsers) Create(_ context.Context, r engine.Rotation) ([]byte, error) {
	cur, err := currentOf(r.Current)
	if err != nil {
		return nil, err
	}
	if cur.MasterARN == "" {
		return nil, fmt.Errorf("create pending version: alternating users need a masterarn in the secret")
	}
	if err := a.conn.check(cur); err != nil {
		return nil, err
	}
	if err := a.schema.checkRole(baseName(cur.Username)); err != nil {
		return nil, fmt.Errorf("create pending version: %w", err)
	}
	next := alternate(cur.Username)
	if r.Current.Placeholder {
		next = baseName(cur.Username)
	}
	if len(baseName(cur.Username)+cloneSuffix) > maxIdentifierBytes {
		return nil, fmt.Errorf("create pending version: %s%s is longer than %d bytes", baseName(cur.Username), cloneSuffix, maxIdentifierBytes)
	}
	pw, err := a.passwords.Generate()
	if err != nil {
		return nil, err
	}
	return cur.withLogin(next, pw)
}

// baseName strips the clone suffix.
func baseName(user string) string { return strings.TrimSuffix(user, cloneSuffix) }

// alternate returns the other role of the pair.
func alternate(user string) string {
	if strings.HasSuffix(user, cloneSuffix) {
		return baseName(user)
	}
	return user + cloneSuffix
}

// Set logs in as the master and sets the pending role's password, creating the
// clone (a member of the base role) when it is missing, and the base role with
// its grants on a first rotation; with a schema split it then makes sure of
// the split's grants (split.ensure). It runs in one transaction, so a failure
// leaves no half-made role.
func (a *AlternatingUsers) Set(ctx context.Context, r engine.Rotation) error {
	pending, err := parseCredentials(r.Pending.Value)
	if err != nil {
		return fmt.Errorf("read pending version: %w", err)
	}
	base := baseName(pending.Username)
	if err := a.schema.checkRole(base); err != nil {
		return fmt.Errorf("set pending password: %w", err)
	}
	master, err := a.secrets.masterLogin(ctx, pending)
	if err != nil {
		return err
	}
	conn, err := a.conn.connect(ctx, master)
	if err != nil {
		return fmt.Errorf("set pending password as master: %w", err)
	}
	defer closeQuietly(conn)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := a.schema.lock(ctx, tx); err != nil {
			return err
		}
		exists, err := roleExists(ctx, tx, base)
		if err != nil {
			return err
		}
		if !exists {
			if err := a.createBase(ctx, tx, r, pending); err != nil {
				return err
			}
		}
		if pending.Username == base {
			err = setPassword(ctx, tx, base, pending.Password)
		} else {
			err = a.setClone(ctx, tx, base, pending)
		}
		if err != nil {
			return err
		}
		return a.schema.ensure(ctx, tx, base)
	})
	if err != nil {
		return scrub(fmt.Errorf("set password of %s: %w", pending.Username, err), master.password, pending.Password)
	}
	return nil
}

// setClone sets the clone's password, creating it when it is missing, and
// makes it a member of the base role; the migration login's clone also
// starts its sessions as the base role.
func (a *AlternatingUsers) setClone(ctx context.Context, tx pgx.Tx, base string, pending credentials) error {
	if _, err := ensureLogin(ctx, tx, pending.Username, pending.Password); err != nil {
		return err
	}
	held, err := memberships(ctx, tx, pending.Username)
	if err != nil {
		return err
	}
	if !slices.Contains(held, base) {
		if err := execFormatted(ctx, tx, "grant "+base+" to "+pending.Username, "'GRANT %I TO %I', $1::text, $2::text", base, pending.Username); err != nil {
			return err
		}
	}
	if a.schema.Set() && base == a.schema.Owner {
		return ensureActsAs(ctx, tx, pending.Username, base)
	}
	return nil
}

// createBase creates the base role on a first rotation, with its grants. When
// the base role is the pending one it gets the pending password; otherwise it
// gets the password of AWSCURRENT (which must then be the base role), so that
// AWSCURRENT logs in from now on and AWSPREVIOUS does after this rotation.
func (a *AlternatingUsers) createBase(ctx context.Context, tx pgx.Tx, r engine.Rotation, pending credentials) error {
	base := baseName(pending.Username)
	password := pending.Password
	if pending.Username != base {
		cur, err := a.current(ctx, r)
		if err != nil {
			return err
		}
		if cur.Username != base {
			return fmt.Errorf("create role %s: AWSCURRENT names %s, want the base role", base, cur.Username)
		}
		password = cur.Password
	}
	if err := createLogin(ctx, tx, base, password); err != nil {
		return err
	}
	return ensureGrants(ctx, tx, base, pending.DBName, a.grants)
}

// current returns AWSCURRENT: from the engine when it fetched it, otherwise
// read here (only on a first rotation, so normal rotations cost no call).
func (a *AlternatingUsers) current(ctx context.Context, r engine.Rotation) (credentials, error) {
	value := r.Current.Value
	if len(value) == 0 {
		v, ok, err := a.secrets.read(ctx, r.SecretARN, "AWSCURRENT")
		if err != nil {
			return credentials{}, err
		}
		if !ok {
			return credentials{}, fmt.Errorf("read current version of %s: not found", r.SecretARN)
		}
		value = v
	}
	c, err := parseCredentials(value)
	if err != nil {
		return credentials{}, fmt.Errorf("read current version: %w", err)
	}
	return c, nil
}

// Test logs in as the pending role and checks whom it is logged in as, and
// that the migration login's clone acts as the base role.
func (a *AlternatingUsers) Test(ctx context.Context, r engine.Rotation) error {
	pending, err := parseCredentials(r.Pending.Value)
	if err != nil {
		return fmt.Errorf("read pending version: %w", err)
	}
	actsAs := pending.Username
	if base := baseName(pending.Username); a.schema.Set() && base == a.schema.Owner {
		actsAs = base
	}
	return testLogin(ctx, a.conn, pending, actsAs)
}
