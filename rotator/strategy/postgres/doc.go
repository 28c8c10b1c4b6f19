// Package postgres rotates the credentials of a PostgreSQL login role (Amazon
// RDS for PostgreSQL).
//
// The secret has the standard RDS JSON shape:
//
//	{"engine":"postgres","host":"...","port":5432,"username":"...",
//	 "password":"...","dbname":"...","ssl":true,"masterarn":"arn:..."}
//
// Two strategies implement the engine's contract:
//
//   - postgres-single-user (NewSingleUser) changes the password of one role
//     while logged in as that role. Between setSecret and finishSecret the
//     password in AWSCURRENT no longer logs in; clients must retry with
//     AWSPENDING on SQLSTATE 28P01 or accept that window.
//   - postgres-alternating-users (NewAlternatingUsers) alternates between
//     <user> and <user>_clone, setting passwords as the master user named by
//     masterarn, so that AWSCURRENT and AWSPREVIOUS both keep logging in.
//
// Every connection uses TLS, whatever the secret's "ssl" field says. With
// Config.RootCertFile set the server certificate and host name are verified
// (sslmode=verify-full); without it the connection is still encrypted but
// unverified (sslmode=require). There is no fall-back to plain text in either
// case. Only a rotator built for tests sets RootCertFile
// (contract.TestSettings).
//
// Passwords never reach the server in plain text: the strategies send a
// SCRAM-SHA-256 verifier computed in the Lambda, so statement logging
// (log_statement=ddl, pgaudit) on the database cannot record a password. (A
// password that is not printable ASCII, which the strategies never generate,
// is sent as is: only the server can SASLprep it.)
//
// Both strategies take the function's contract.PasswordShape (generated
// passwords, drawn by package password without / @ " and space, which RDS
// refuses) and contract.Logins (the roles granted to a login role the master
// creates; CONNECT on the secret's dbname is always granted). Each login
// times out after 5 s.
//
// With a schema split (contract.SchemaLogins, a stack with a migration
// login) the database has two logins: the migration login owns everything
// created in the public schema, the application login reads and writes it
// and creates nothing. Whenever a strategy is the master (alternating users:
// every setSecret; single user: the first), it grants the migration login
// CREATE on public, takes CREATE there from PUBLIC, and once both roles exist
// gives the application login DML on the migration login's tables and
// sequences through default privileges. The migration login's clone starts
// every session as the base role (ALTER ROLE ... SET role), so objects are
// owned by the base role whichever version of the secret created them. The
// two rotators' master transactions are serialized by an advisory lock, so
// the second to create its role links them. A secret naming another role is
// refused.
package postgres
