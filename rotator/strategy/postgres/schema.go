package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/acme/secrets-platform/rotator/contract"
)

// appSchema is the schema a split applies to: public of the secret's
// database. Migration tools use it unless told otherwise (Prisma, Flyway,
// node-pg-migrate), applications then need no search_path, PostgreSQL 15
// grants CREATE on it to its owner only, and its owner stays the database's
// owner, so no migration can drop the schema itself.
const appSchema = "public"

// What the application login gets on the migration login's objects: their
// data, not their structure (no TRUNCATE, REFERENCES or TRIGGER).
const (
	tablePrivileges    = "SELECT, INSERT, UPDATE, DELETE"
	sequencePrivileges = "USAGE, SELECT, UPDATE"
	// defaultPrivilegeCount is how many (object type, privilege) pairs the
	// two ALTER DEFAULT PRIVILEGES statements give: 4 on tables, 3 on
	// sequences.
	defaultPrivilegeCount = 7
)

// split is the stack's schema split (contract.SchemaLogins): the migration
// login owns what is created in appSchema, the application login reads and
// writes it. Zero when the stack has no migration login.
type split struct {
	contract.SchemaLogins
}

// checkRole refuses a secret whose role (its base name under alternating
// users) is neither of the split's: whoever can write a secret must not
// choose whose password the master sets.
func (s split) checkRole(role string) error {
	if !s.Set() || role == s.Owner || role == s.User {
		return nil
	}
	return fmt.Errorf("the secret names role %s; this rotator manages %s (migration) and %s (application) only", role, s.Owner, s.User)
}

// lock serializes the master transactions of the two rotators of a split
// (they start together when the stack is first deployed), so that the second
// sees the role the first created and links the two. It must be the
// transaction's first statement: under READ COMMITTED every later statement
// then sees what the other transaction committed.
func (s split) lock(ctx context.Context, q querier) error {
	if !s.Set() {
		return nil
	}
	if _, err := q.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "secrets-platform schema split "+s.Owner); err != nil {
		return fmt.Errorf("lock the schema split of %s: %w", s.Owner, err)
	}
	return nil
}

// ensure runs in the master's transaction after role (a base role) has its
// password: the migration login may create in appSchema, PUBLIC may not,
// and once both roles exist the application login gets DML on everything the
// migration login owns there, now and later. Each part checks before it
// acts, so a rotation after the first issues no statement.
func (s split) ensure(ctx context.Context, q querier, role string) error {
	if !s.Set() {
		return nil
	}
	if role == s.Owner {
		if err := ensureCreate(ctx, q, s.Owner); err != nil {
			return err
		}
	}
	if err := revokePublicCreate(ctx, q); err != nil {
		return err
	}
	return s.link(ctx, q)
}

// schemaACLHas reports whether grantee (0 for PUBLIC) holds privilege on
// appSchema by an explicit ACL entry.
func schemaACLHas(ctx context.Context, q querier, grantee, privilege string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a
		WHERE n.nspname = $1 AND a.privilege_type = $3::text
		AND a.grantee = CASE WHEN $2::text = '' THEN 0::oid ELSE (SELECT oid FROM pg_roles WHERE rolname = $2::text) END)`,
		appSchema, grantee, privilege).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("look up %s on schema %s: %w", privilege, appSchema, err)
	}
	return ok, nil
}

// ensureCreate grants the migration login USAGE and CREATE on appSchema. The
// master can: it owns the database, and so, through pg_database_owner, the
// public schema.
func ensureCreate(ctx context.Context, q querier, owner string) error {
	held, err := schemaACLHas(ctx, q, owner, "CREATE")
	if err != nil || held {
		return err
	}
	return execFormatted(ctx, q, "grant create on schema "+appSchema+" to "+owner,
		"'GRANT USAGE, CREATE ON SCHEMA %I TO %I', $1::text, $2::text", appSchema, owner)
}

// revokePublicCreate takes CREATE on appSchema from PUBLIC, which a database
// made before PostgreSQL 15 still grants it: otherwise the application login
// could create there. If the revoke does not take (the master is not the
// schema's owner), the rotation fails rather than leave it.
func revokePublicCreate(ctx context.Context, q querier) error {
	held, err := schemaACLHas(ctx, q, "", "CREATE")
	if err != nil || !held {
		return err
	}
	if err := execFormatted(ctx, q, "revoke create on schema "+appSchema+" from public",
		"'REVOKE CREATE ON SCHEMA %I FROM PUBLIC', $1::text", appSchema); err != nil {
		return err
	}
	if held, err = schemaACLHas(ctx, q, "", "CREATE"); err != nil || !held {
		return err
	}
	return fmt.Errorf("PUBLIC may still create in schema %s, so the application login could: the schema's owner must run REVOKE CREATE ON SCHEMA %s FROM PUBLIC", appSchema, appSchema)
}

// link gives the application login DML on the migration login's objects in
// appSchema once both roles exist (the rotator that creates its role second
// does it): default privileges for objects to come, and grants on those
// made before the link. The catch-up runs only when the default privileges
// were missing, so a grant an operator revoked on purpose stays revoked.
func (s split) link(ctx context.Context, q querier) error {
	for _, r := range []string{s.Owner, s.User} {
		ok, err := roleExists(ctx, q, r)
		if err != nil || !ok {
			return err
		}
	}
	// ALTER DEFAULT PRIVILEGES FOR ROLE and GRANT on another role's objects
	// need that role's privileges: the master, which created the migration
	// login, makes itself a member of it.
	var inherits bool
	if err := q.QueryRow(ctx, "SELECT pg_has_role(current_user, $1, 'USAGE')", s.Owner).Scan(&inherits); err != nil {
		return fmt.Errorf("look up the master's membership in %s: %w", s.Owner, err)
	}
	if !inherits {
		if err := execFormatted(ctx, q, "grant "+s.Owner+" to the master", "'GRANT %I TO CURRENT_USER', $1::text", s.Owner); err != nil {
			return err
		}
	}
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM pg_default_acl d, aclexplode(d.defaclacl) a
		WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $1)
		AND d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $2)
		AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $3)
		AND ((d.defaclobjtype = 'r' AND a.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE'))
		  OR (d.defaclobjtype = 'S' AND a.privilege_type IN ('USAGE', 'SELECT', 'UPDATE')))`,
		s.Owner, appSchema, s.User).Scan(&n)
	if err != nil {
		return fmt.Errorf("look up the default privileges of %s: %w", s.Owner, err)
	}
	if n == defaultPrivilegeCount {
		return nil
	}
	for _, kind := range []struct{ objects, privileges string }{{"TABLES", tablePrivileges}, {"SEQUENCES", sequencePrivileges}} {
		if err := execFormatted(ctx, q, "default privileges of "+s.Owner+" on "+kind.objects,
			"'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT "+kind.privileges+" ON "+kind.objects+" TO %I', $1::text, $2::text, $3::text",
			s.Owner, appSchema, s.User); err != nil {
			return err
		}
	}
	return s.grantExisting(ctx, q)
}

// grantExisting grants the application login what the default privileges
// would have on the objects the migration login made before the link (a
// migration that ran before the application's role existed).
func (s split) grantExisting(ctx context.Context, q querier) error {
	rows, err := q.Query(ctx, `SELECT format(CASE c.relkind
			WHEN 'S' THEN 'GRANT `+sequencePrivileges+` ON SEQUENCE %I.%I TO %I'
			WHEN 'm' THEN 'GRANT SELECT ON TABLE %I.%I TO %I'
			ELSE 'GRANT `+tablePrivileges+` ON TABLE %I.%I TO %I' END, n.nspname, c.relname, $3::text)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $2 AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
		AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') ORDER BY c.relname`, s.Owner, appSchema, s.User)
	if err != nil {
		return fmt.Errorf("list the objects of %s: %w", s.Owner, err)
	}
	stmts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list the objects of %s: %w", s.Owner, err)
	}
	for _, stmt := range stmts {
		if _, err := q.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("grant %s the objects %s made before the link: %w", s.User, s.Owner, err)
		}
	}
	return nil
}

// ensureActsAs makes every session of the migration login's clone start as
// the migration login (ALTER ROLE ... SET role): what a migration run with
// the clone's credentials creates is then owned by the base role, which the
// default privileges cover and the other version of the secret can alter.
// The clone may SET ROLE to it because it is the base role's member.
func ensureActsAs(ctx context.Context, q querier, clone, owner string) error {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_db_role_setting s
		WHERE s.setdatabase = 0 AND s.setrole = (SELECT oid FROM pg_roles WHERE rolname = $1)
		AND $2 = ANY (s.setconfig))`, clone, "role="+owner).Scan(&ok)
	if err != nil {
		return fmt.Errorf("look up the settings of %s: %w", clone, err)
	}
	if ok {
		return nil
	}
	return execFormatted(ctx, q, "make "+clone+" act as "+owner, "'ALTER ROLE %I SET role = %L', $1::text, $2::text", clone, owner)
}
