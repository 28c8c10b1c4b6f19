package secrets

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
)

// specialCharacters is pulumi-random's default special set; excluded
// characters are removed from it (RDS rejects / @ " and space).
const specialCharacters = "!@#$%&*()-_=+[]{}<>:?"

// DatabaseConnection fills the connection fields of the database secret from
// the RDS instance, so applications and rotators read one standard RDS shape.
type DatabaseConnection struct {
	Host     pulumi.StringInput
	Port     pulumi.IntInput
	DBName   string
	Username string
	// MasterSecretArn is set as "masterarn" when the rotation strategy logs in
	// as the master user (alternating users, and first-run role creation).
	MasterSecretArn pulumi.StringInput
}

// firstValue returns the secret's first value, or ok=false when an operator
// must put it (a third-party key given no secret config value).
func firstValue(ctx *pulumi.Context, name string, s config.Secret, db *DatabaseConnection, parent pulumi.Resource) (pulumi.StringOutput, bool, error) {
	switch s.Kind {
	case config.KindJSON, config.KindString:
		if !s.InitialValue.IsSet() {
			return pulumi.StringOutput{}, false, nil
		}
		return pulumi.ToSecret(pulumi.String(s.InitialValue.Reveal())).(pulumi.StringOutput), true, nil
	case config.KindPassword:
		pw, err := password(ctx, name, s.Password, parent)
		if err != nil {
			return pulumi.StringOutput{}, false, err
		}
		return pw.Result, true, nil
	case config.KindKeyring:
		b, err := random.NewRandomBytes(ctx, name+"-key-material", &random.RandomBytesArgs{Length: pulumi.Int(32)}, pulumi.Parent(parent))
		if err != nil {
			return pulumi.StringOutput{}, false, fmt.Errorf("generate key ring for %s: %w", s.Name, err)
		}
		// The ring format the keyring rotator and the application helper read:
		// the first key is "k1"; rotation adds keys and never drops one.
		ring := b.Base64.ApplyT(func(k string) (string, error) {
			return marshal(map[string]any{"active": "k1", "keys": map[string]string{"k1": k}})
		}).(pulumi.StringOutput)
		return pulumi.ToSecret(ring).(pulumi.StringOutput), true, nil
	case config.KindDatabase:
		if db == nil {
			return pulumi.StringOutput{}, false, fmt.Errorf("secret %s of kind database needs the database connection", s.Name)
		}
		pw, err := password(ctx, name, s.Password, parent)
		if err != nil {
			return pulumi.StringOutput{}, false, err
		}
		master := pulumi.String("").ToStringOutput()
		if db.MasterSecretArn != nil && s.Rotation.Strategy.ReadsMasterSecret() {
			master = db.MasterSecretArn.ToStringOutput()
		}
		v := pulumi.All(db.Host, db.Port, pw.Result, master).ApplyT(func(xs []any) (string, error) {
			doc := map[string]any{
				"engine": "postgres", "host": xs[0], "port": xs[1], "username": db.Username,
				"password": xs[2], "dbname": db.DBName, "ssl": true,
			}
			if m := xs[3].(string); m != "" {
				doc["masterarn"] = m
			}
			return marshal(doc)
		}).(pulumi.StringOutput)
		return pulumi.ToSecret(v).(pulumi.StringOutput), true, nil
	}
	return pulumi.StringOutput{}, false, fmt.Errorf("secret %s: unknown kind %q", s.Name, s.Kind)
}

func password(ctx *pulumi.Context, name string, p config.Password, parent pulumi.Resource) (*random.RandomPassword, error) {
	special := strings.Map(func(r rune) rune {
		if strings.ContainsRune(p.ExcludeCharacters, r) {
			return -1
		}
		return r
	}, specialCharacters)
	pw, err := random.NewRandomPassword(ctx, name+"-password", &random.RandomPasswordArgs{
		Length:          pulumi.Int(p.Length),
		Special:         pulumi.Bool(special != ""),
		OverrideSpecial: pulumi.String(special),
		MinLower:        pulumi.Int(1),
		MinUpper:        pulumi.Int(1),
		MinNumeric:      pulumi.Int(1),
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("generate password for %s: %w", name, err)
	}
	return pw, nil
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal secret value: %w", err)
	}
	return string(b), nil
}
