package rotation

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotator/contract"
)

// EnvArgs is what a rotator's environment is made of.
type EnvArgs struct {
	// Secret is the catalog entry under rotation. Required.
	Secret config.Secret
	// AdminSecretArn is the provider credential's secret (http, twilio).
	AdminSecretArn pulumi.StringInput
	// DatabaseGrants are granted to roles the postgres strategies create.
	DatabaseGrants []string
	// DatabaseSchema is the database's schema split between its migration
	// and application logins; zero without a migration login.
	DatabaseSchema contract.SchemaLogins
	// DatabaseHost and DatabasePort are the instance's address and port,
	// the only server a postgres rotator may reach (decision D6). Required
	// for the postgres strategies.
	DatabaseHost pulumi.StringInput
	DatabasePort pulumi.IntInput
	// SecretsManagerEndpoint is the endpoint URL a rotator in the database's
	// subnets must use where private DNS does not reach it; nil or "" for
	// the SDK's default.
	SecretsManagerEndpoint pulumi.StringInput
}

// unknownHost and unknownPort stand in for the database's address before it
// is known, so that Environment checks every other setting at once.
const (
	unknownHost = "database.address.unknown"
	unknownPort = 5432
)

// Settings are the rotator settings of a catalog entry, with the admin
// secret's ARN once it is known. Every setting comes from stack config; a
// postgres strategy's Database.Host and Port, which come from the instance,
// are Environment's to fill.
func Settings(s config.Secret, adminSecretARN string, grants []string) contract.Settings {
	st := contract.Settings{Strategy: contract.Strategy(s.Rotation.Strategy)}
	switch st.Strategy {
	case contract.Random, contract.PostgresSingleUser, contract.PostgresAlternatingUsers:
		st.Password = contract.PasswordShape{Length: s.Password.Length, ExcludeCharacters: s.Password.ExcludeCharacters}
	}
	if st.Strategy == contract.Keyring {
		st.Keyring = contract.Ring{MaxKeys: s.Keyring.MaxKeys, Retire: s.Keyring.RetireKeys}
	}
	if st.Strategy.ReadsMasterSecret() {
		st.Database = contract.Logins{Grants: grants}
	}
	if st.Strategy.ReadsAdminSecret() {
		st.KeyAPI = contract.KeyAPI{AdminSecretARN: adminSecretARN, Grace: s.Rotation.GracePeriod}
	}
	if st.Strategy == contract.HTTPKey {
		st.KeyAPI.BaseURL = s.KeyAPIBaseURL
	}
	return st
}

// DatabaseLogins are what the rotator of one of the database's secrets
// (config.Database.Secrets) grants: that login's grants, and the schema
// split when the database has a migration login. Host and Port are
// Environment's to fill.
func DatabaseLogins(d config.Database, secretName string) contract.Logins {
	_, grants, _ := d.Login(secretName)
	owner, user := d.SchemaSplit()
	return contract.Logins{Grants: grants, Schema: contract.SchemaLogins{Owner: owner, User: user}}
}

// PlanSettings are a secret's settings as Groups compares them, before the
// admin secret's ARN and the database's address are known: the admin secret
// by its catalog name, and the stack's one database by a stand-in address
// (every postgres secret of a stack reaches the same instance). logins are
// the secret's DatabaseLogins; only a postgres strategy reads them.
func PlanSettings(s config.Secret, logins contract.Logins) contract.Settings {
	st := Settings(s, s.AdminSecret, logins.Grants)
	if st.Strategy.ReadsMasterSecret() {
		st.Database.Schema = logins.Schema
		st.Database.Host, st.Database.Port = unknownHost, unknownPort
	}
	return st
}

// Environment is the function's environment: ROTATION_STRATEGY and the
// variables its strategy reads, written by contract.Settings.Env. No value in
// it is secret (ARNs, URLs, lengths), and it is encrypted with the platform
// key all the same.
//
// AWS_ENDPOINT_URL_SECRETS_MANAGER is set only where the database VPC's
// Secrets Manager endpoint has no private DNS (a shared VPC,
// config.Endpoint.NeedsURL); elsewhere the default host name resolves to the
// endpoint from the rotator's subnets.
func Environment(a EnvArgs) (pulumi.StringMapOutput, error) {
	s := a.Secret
	if !contract.Strategy(s.Rotation.Strategy).Known() {
		return pulumi.StringMapOutput{}, fmt.Errorf("rotator environment of %s: strategy %q has no Go rotator", s.Name, s.Rotation.Strategy)
	}
	admin := a.AdminSecretArn
	if admin == nil {
		admin = pulumi.String("")
	}
	// Check what can be checked before the ARN and the address are known, so
	// bad settings fail the program rather than a later apply.
	st := contract.Strategy(s.Rotation.Strategy)
	if st.ReadsAdminSecret() && a.AdminSecretArn == nil {
		return pulumi.StringMapOutput{}, fmt.Errorf("rotator environment of %s: the %s strategy needs an admin secret", s.Name, s.Rotation.Strategy)
	}
	if st.ReadsMasterSecret() && (a.DatabaseHost == nil || a.DatabasePort == nil) {
		return pulumi.StringMapOutput{}, fmt.Errorf("rotator environment of %s: the %s strategy needs the database's host and port", s.Name, s.Rotation.Strategy)
	}
	settings := func(arn, host string, port int, endpoint string) contract.Settings {
		out := Settings(s, arn, a.DatabaseGrants)
		if st.ReadsMasterSecret() {
			out.Database.Host, out.Database.Port = host, port
			out.Database.Schema = a.DatabaseSchema
		}
		out.SecretsManagerEndpoint = endpoint
		return out
	}
	if _, err := settings("arn:placeholder", unknownHost, unknownPort, "").Env(); err != nil {
		return pulumi.StringMapOutput{}, fmt.Errorf("rotator environment of %s: %w", s.Name, err)
	}
	host, port := pulumi.String("").ToStringOutput(), pulumi.Int(0).ToIntOutput()
	if st.ReadsMasterSecret() {
		host, port = a.DatabaseHost.ToStringOutput(), a.DatabasePort.ToIntOutput()
	}
	endpoint := pulumi.String("").ToStringOutput()
	if a.SecretsManagerEndpoint != nil {
		endpoint = a.SecretsManagerEndpoint.ToStringOutput()
	}
	return pulumi.All(admin, host, port, endpoint).ApplyT(func(xs []any) (map[string]string, error) {
		env, err := settings(xs[0].(string), xs[1].(string), xs[2].(int), xs[3].(string)).Env()
		if err != nil {
			return nil, fmt.Errorf("rotator environment of %s: %w", s.Name, err)
		}
		return env, nil
	}).(pulumi.StringMapOutput), nil
}

// envArgs are the environment's part of a rotator's args: a group shares
// its settings, so any member (the first) writes them. The schema split is
// the group's planned one (PlanSettings), which named the group.
func envArgs(a RotatorArgs, member config.Secret) EnvArgs {
	e := EnvArgs{Secret: member, AdminSecretArn: a.AdminSecretArn, DatabaseGrants: a.DatabaseGrants,
		DatabaseSchema: a.Group.Settings.Database.Schema}
	if a.Network != nil {
		e.DatabaseHost, e.DatabasePort = a.Network.DatabaseHost, a.Network.DatabasePort
		e.SecretsManagerEndpoint = a.Network.SecretsManagerEndpoint
	}
	return e
}
