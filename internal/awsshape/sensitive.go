package awsshape

import "github.com/pulumi/pulumi/sdk/v3/go/common/resource"

// sensitive lists, per type, the properties the Terraform AWS provider's
// schema marks Sensitive; pulumi-aws returns them as secrets even when the
// program passed them in plain text. Source: the same schema files as the
// replacement table (secret_version.go: secret_string, secret_binary;
// rds/instance.go: password).
var sensitive = map[string][]string{
	"aws:secretsmanager/secretVersion:SecretVersion": {"secretString", "secretBinary"},
	"aws:rds/instance:Instance":                      {"password"},
}

// markSensitive makes the sensitive properties of state secret.
func markSensitive(typ string, state resource.PropertyMap) {
	for _, k := range sensitive[typ] {
		if v, ok := state[resource.PropertyKey(k)]; ok && !v.IsSecret() && !v.IsNull() {
			state[resource.PropertyKey(k)] = resource.MakeSecret(v)
		}
	}
}
