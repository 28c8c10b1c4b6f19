package standin

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acme/secrets-platform/internal/awsshape"
)

// awsBackend answers for AWS in the account and region its config names.
type awsBackend struct {
	env awsshape.Env
}

// configure reads the region and the account as awsshape.ProviderEnv does:
// the region (us-east-1 when unset), the first of allowedAccountIds (the
// account the stack may deploy into), else the account of the role the
// provider assumes, else awsshape.DefaultAccount.
func (awsBackend) configure(cfg resource.PropertyMap) backend {
	return awsBackend{env: awsshape.ProviderEnv(cfg, awsshape.Env{Account: awsshape.DefaultAccount, Region: "us-east-1"})}
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
