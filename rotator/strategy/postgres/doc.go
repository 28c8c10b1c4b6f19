// Package postgres rotates the credentials of a PostgreSQL login role (Amazon
// RDS for PostgreSQL) whose secret has the standard RDS JSON shape:
//
//	{"engine":"postgres","host":"...","port":5432,"username":"...",
//	 "password":"...","dbname":"...","ssl":true,"masterarn":"arn:..."}
//
// Two strategies implement the engine's contract:
//
//   - postgres-single-user (SingleUserFromEnv) changes the password of one role
//     while logged in as that role. Between setSecret and finishSecret the
//     password in AWSCURRENT no longer logs in; clients must retry with
//     AWSPENDING on SQLSTATE 28P01 or accept that window.
//   - postgres-alternating-users (AlternatingUsersFromEnv) alternates between
//     <user> and <user>_clone, setting passwords as the master user named by
//     masterarn, so that AWSCURRENT and AWSPREVIOUS both keep logging in.
//
// Every connection uses TLS, whatever the secret's "ssl" field says. With DB_SSL_ROOT_CERT set (the path of a PEM
// bundle, e.g. the RDS global bundle shipped in the Lambda package) the server
// certificate and host name are verified (sslmode=verify-full); without it the
// connection is still encrypted but unverified (sslmode=require). There is no
// fall-back to plain text in either case.
//
// Passwords never reach the server in plain text: the strategies send a
// SCRAM-SHA-256 verifier computed in the Lambda, so statement logging
// (log_statement=ddl, pgaudit) on the database cannot record a password. (A
// password that is not printable ASCII, which the strategies never generate,
// is sent as is: only the server can SASLprep it.)
//
// Environment read by the constructors:
//
//	DB_SSL_ROOT_CERT          path of the CA bundle; empty means sslmode=require
//	DB_GRANTS                 comma list of roles granted to a role the master creates
//	                          (e.g. pg_read_all_data,pg_write_all_data); CONNECT on
//	                          the secret's dbname is always granted
//	DB_CONNECT_TIMEOUT        Go duration for each login, default 5s
//	PASSWORD_LENGTH           length of generated passwords, default 32 (16..128)
//	EXCLUDE_CHARACTERS        characters excluded from passwords in addition to
//	                          the always-excluded set (see PasswordAlphabet)
package postgres
