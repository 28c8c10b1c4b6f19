package awsshape

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// ProviderEnv is where an AWS provider with config cfg deploys: its region,
// else def's; the first of its allowedAccountIds (the account it may deploy
// into), else the account of the role it assumes, else def's account. The
// mocks and the engine tests' stand-in read a provider's config the same
// way, so a resource of an explicit provider (a replica region's, another
// account's) gets its ids and ARNs in the same account and region in both.
func ProviderEnv(cfg resource.PropertyMap, def Env) Env {
	env := def
	if r := str(cfg["region"]); r != "" {
		env.Region = r
	}
	if role := decode(cfg["assumeRole"]); role.IsObject() {
		if arn := str(role.ObjectValue()["roleArn"]); strings.Count(arn, ":") >= 5 {
			env.Account = strings.Split(arn, ":")[4]
		}
	}
	if ids := decode(cfg["allowedAccountIds"]); ids.IsArray() && len(ids.ArrayValue()) > 0 {
		if id := str(ids.ArrayValue()[0]); id != "" {
			env.Account = id
		}
	}
	return env
}

// str returns a plain string value, "" otherwise.
func str(v resource.PropertyValue) string {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsOutput() {
		v = v.OutputValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// decode returns a config value as a structured value: provider config
// arrives either structured or as a JSON string.
func decode(v resource.PropertyValue) resource.PropertyValue {
	s := str(v)
	if s == "" || (s[0] != '[' && s[0] != '{') {
		if v.IsOutput() {
			return v.OutputValue().Element
		}
		return v
	}
	var x any
	if err := json.Unmarshal([]byte(s), &x); err != nil {
		return v
	}
	return resource.NewPropertyValue(x)
}
