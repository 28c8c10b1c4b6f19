package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is the part of *pgx.Conn and pgx.Tx that the role statements use.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// execFormatted builds a utility statement server-side and runs it. Utility
// statements (CREATE/ALTER ROLE, GRANT) take no bind parameters, and format()
// with %I and %L quotes identifiers and literals exactly as the server parses
// them, so no quoting happens in Go. Errors never include args: one of them
// may be a password verifier.
func execFormatted(ctx context.Context, q querier, what, format string, args ...any) error {
	var stmt string
	if err := q.QueryRow(ctx, "SELECT format("+format+")", args...).Scan(&stmt); err != nil {
		return fmt.Errorf("build %s statement: %w", what, err)
	}
	if _, err := q.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// passwordLiteral is what goes after PASSWORD: the SCRAM verifier when it can
// be computed here, so the server never sees (nor logs) the password.
func passwordLiteral(password string) (string, error) {
	if !isPrintableASCII(password) {
		// SASLprep could change the password; let the server hash it.
		return password, nil
	}
	v, err := scramVerifier(password)
	if err != nil {
		return "", fmt.Errorf("compute password verifier: %w", err)
	}
	return v, nil
}

// setPassword changes role's password.
func setPassword(ctx context.Context, q querier, role, password string) error {
	lit, err := passwordLiteral(password)
	if err != nil {
		return err
	}
	return scrub(execFormatted(ctx, q, "alter role password", "'ALTER ROLE %I WITH PASSWORD %L', $1::text, $2::text", role, lit), password, lit)
}

// roleExists reports whether role exists.
func roleExists(ctx context.Context, q querier, role string) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&ok); err != nil {
		return false, fmt.Errorf("look up role %s: %w", role, err)
	}
	return ok, nil
}

// createLogin creates role as a login role with password.
func createLogin(ctx context.Context, q querier, role, password string) error {
	lit, err := passwordLiteral(password)
	if err != nil {
		return err
	}
	return scrub(execFormatted(ctx, q, "create role", "'CREATE ROLE %I WITH LOGIN PASSWORD %L', $1::text, $2::text", role, lit), password, lit)
}

// ensureLogin creates role with password, or sets the password of an existing
// role: the state afterwards is the same whichever way it started.
func ensureLogin(ctx context.Context, q querier, role, password string) (created bool, err error) {
	exists, err := roleExists(ctx, q, role)
	if err != nil {
		return false, err
	}
	if exists {
		return false, setPassword(ctx, q, role, password)
	}
	return true, createLogin(ctx, q, role, password)
}

// memberships returns the roles that role is directly a member of.
func memberships(ctx context.Context, q querier, role string) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT g.rolname FROM pg_auth_members m
		JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
		WHERE u.rolname = $1`, role)
	if err != nil {
		return nil, fmt.Errorf("list memberships of %s: %w", role, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list memberships of %s: %w", role, err)
	}
	return names, nil
}

// ensureGrants grants role every group in groups it lacks and CONNECT on
// database unless it holds it explicitly already. It checks before granting so
// that a second run issues no statement at all (GRANT of a held membership
// would only be a NOTICE, but an unconditional GRANT CONNECT rewrites the ACL
// and its grantor).
func ensureGrants(ctx context.Context, q querier, role, database string, groups []string) error {
	held, err := memberships(ctx, q, role)
	if err != nil {
		return err
	}
	for _, g := range groups {
		if slices.Contains(held, g) {
			continue
		}
		if err := execFormatted(ctx, q, "grant "+g+" to "+role, "'GRANT %I TO %I', $1::text, $2::text", g, role); err != nil {
			return err
		}
	}
	var hasConnect bool
	err = q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a
		WHERE d.datname = $1 AND a.privilege_type = 'CONNECT'
		AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $2))`, database, role).Scan(&hasConnect)
	if err != nil {
		return fmt.Errorf("look up CONNECT of %s on %s: %w", role, database, err)
	}
	if hasConnect {
		return nil
	}
	return execFormatted(ctx, q, "grant connect on "+database+" to "+role, "'GRANT CONNECT ON DATABASE %I TO %I', $1::text, $2::text", database, role)
}
