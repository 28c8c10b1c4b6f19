package awsshape

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Imported returns the physical id and the state of a resource the program
// adopts with Pulumi's import option, after the import's update applied the
// program's inputs: what AWS computes is as for a created resource, except
// the identity the resource had before, which an update never changes (a
// secret's ARN, a key's id and ARN).
func Imported(typ, name, importID string, inputs resource.PropertyMap, env Env) (string, resource.PropertyMap) {
	_, state := Outputs(typ, name, inputs, env)
	set := func(k string, v any) { state[resource.PropertyKey(k)] = resource.NewPropertyValue(v) }
	switch typ {
	case "aws:secretsmanager/secret:Secret":
		set("arn", importID)
	case "aws:kms/key:Key":
		set("keyId", importID)
		set("arn", env.arn("kms", "key/"+importID))
	}
	return importID, state
}
