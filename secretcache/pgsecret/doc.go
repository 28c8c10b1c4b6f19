// Package pgsecret connects pgx to a PostgreSQL database through the
// RDS-shaped Secrets Manager secret that holds its credentials, across
// rotations.
//
// Existing sessions survive a password change; only new logins can be
// refused. pgxpool has no hook that can retry its own connect, so Pool wraps
// a *pgxpool.Pool and retries an Acquire whose new connection was refused
// for authentication (SQLSTATE 28P01), which is safe because no statement
// was sent. Before the retry the Connector refetches AWSCURRENT; when that
// still holds the refused password it falls back to AWSPENDING, which is
// what the database already accepts during the window of a single-user
// rotation (the password is changed in the database before AWSCURRENT
// moves). A refused login that neither version can fix is returned as is.
//
// TLS is never optional: a secret with "ssl": true, and by default any
// secret, connects with sslmode=verify-full against the CA the caller
// supplies (the RDS CA bundle), with no plaintext fallback.
package pgsecret
