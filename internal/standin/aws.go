package standin

import (
	"encoding/json"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acme/secrets-platform/internal/awsshape"
)

// awsBackend answers for AWS in the account and region its config names.
type awsBackend struct {
	env awsshape.Env
}

// configure reads the region and the account: the first of
// allowedAccountIds (the account the stack may deploy into), else the
// account of the role the provider assumes, else awsshape.DefaultAccount.
func (awsBackend) configure(cfg resource.PropertyMap) backend {
	b := awsBackend{env: awsshape.Env{Account: awsshape.DefaultAccount, Region: "us-east-1"}}
	if r := str(cfg["region"]); r != "" {
		b.env.Region = r
	}
	if role := decode(cfg["assumeRole"]); role.IsObject() {
		if arn := str(role.ObjectValue()["roleArn"]); strings.Count(arn, ":") >= 5 {
			b.env.Account = strings.Split(arn, ":")[4]
		}
	}
	if ids := decode(cfg["allowedAccountIds"]); ids.IsArray() && len(ids.ArrayValue()) > 0 {
		if id := str(ids.ArrayValue()[0]); id != "" {
			b.env.Account = id
		}
	}
	return b
}

func (b awsBackend) create(typ, name string, inputs resource.PropertyMap) (string, resource.PropertyMap, error) {
	id, state := awsshape.Outputs(typ, name, inputs, b.env)
	return id, state, nil
}

func (b awsBackend) update(typ, name string, olds, news resource.PropertyMap) (resource.PropertyMap, error) {
	_, state := awsshape.Outputs(typ, name, news, b.env)
	return awsshape.KeepIdentity(olds, state), nil
}

// read answers an import: what AWS reports of the existing resource.
func (b awsBackend) read(typ, id string) (state, inputs resource.PropertyMap, ok bool) {
	return awsshape.Existing(typ, id, b.env)
}

// replaces refuses to guess for a type the table lacks: "update" would hide
// a replacement AWS might force.
func (b awsBackend) replaces(typ string, changed []string) ([]string, error) {
	keys, ok := awsshape.ReplaceKeys(typ)
	if !ok {
		return nil, unknownType("aws", typ+" (no row in awsshape's replacement table)")
	}
	var out []string
	for _, k := range changed {
		for _, r := range keys {
			if k == r {
				out = append(out, k)
			}
		}
	}
	return out, nil
}

func (b awsBackend) invoke(token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	return awsshape.Invoke(token, args, b.env)
}

// str returns a plain string value, "" otherwise.
func str(v resource.PropertyValue) string {
	for v.IsSecret() {
		v = v.SecretValue().Element
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
		return v
	}
	var x any
	if err := json.Unmarshal([]byte(s), &x); err != nil {
		return v
	}
	return resource.NewPropertyValue(x)
}
