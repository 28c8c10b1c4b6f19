package secrets

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotator/contract"
)

// DatabaseConnection fills the connection fields of the database secret from
// the RDS instance, so applications and rotators read one standard RDS shape.
type DatabaseConnection struct {
	Host   pulumi.StringInput
	Port   pulumi.IntInput
	DBName string
	// Usernames are the login role of each database secret, by catalog name:
	// the application's (database.username) and the migration login's
	// (database.migration.username). A database secret without one is an
	// error.
	Usernames map[string]string
	// MasterSecretArn is set as "masterarn" when the rotation strategy logs in
	// as the master user (alternating users, and first-run role creation).
	MasterSecretArn pulumi.StringInput
}

// firstValue is the content of the secret's first version. No secret value
// passes through Pulumi in a strict stack (SECURITY-RULES 17): the first
// version is a placeholder (contract.Placeholder) that the rotator replaces,
// or an operator's put does. Only a disposable stack may hand a third-party
// value through secret config (valueConfigKey); isSecret says so.
func firstValue(s config.Secret, db *DatabaseConnection) (value pulumi.StringOutput, isSecret bool, err error) {
	if s.InitialValue.IsSet() {
		return pulumi.ToSecret(pulumi.String(s.InitialValue.Reveal())).(pulumi.StringOutput), true, nil
	}
	if s.Kind != config.KindDatabase {
		p, err := contract.Placeholder(nil)
		if err != nil {
			return pulumi.StringOutput{}, false, fmt.Errorf("first value of %s: %w", s.Name, err)
		}
		return pulumi.String(p).ToStringOutput(), false, nil
	}
	if db == nil {
		return pulumi.StringOutput{}, false, fmt.Errorf("secret %s of kind database needs the database connection", s.Name)
	}
	username, ok := db.Usernames[s.Name]
	if !ok {
		return pulumi.StringOutput{}, false, fmt.Errorf("secret %s of kind database is not one of the database's logins", s.Name)
	}
	master := pulumi.String("").ToStringOutput()
	if db.MasterSecretArn != nil && s.Rotation.Strategy.ReadsMasterSecret() {
		master = db.MasterSecretArn.ToStringOutput()
	}
	// The connection fields are what the rotator connects with; the password
	// is the rotator's to make.
	v := pulumi.All(db.Host, db.Port, master).ApplyT(func(xs []any) (string, error) {
		fields := map[string]any{
			"engine": "postgres", "host": xs[0], "port": xs[1], "username": username,
			"dbname": db.DBName, "ssl": true,
		}
		if m := xs[2].(string); m != "" {
			fields["masterarn"] = m
		}
		return contract.Placeholder(fields)
	}).(pulumi.StringOutput)
	return v, false, nil
}
