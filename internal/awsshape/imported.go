package awsshape

import (
	"strings"

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

// Existing is what AWS reports of an existing resource that the program
// imports, before any of the program's inputs apply: its identity, and for
// a key the fields that would replace it (a symmetric encryption key, as
// the Terraform setup's is), rotation on. inputs are the fields the
// provider reads back as inputs. ok is false for a type the program never
// imports, which a provider then reports as not found.
func Existing(typ, id string, env Env) (state, inputs resource.PropertyMap, ok bool) {
	switch typ {
	case "aws:secretsmanager/secret:Secret":
		name := id[strings.Index(id, ":secret:")+len(":secret:") : len(id)-len("-XXXXXX")]
		inputs = resource.NewPropertyMapFromMap(map[string]any{"name": name})
		state = inputs.Copy()
		state["arn"] = resource.NewProperty(id)
	case "aws:kms/key:Key":
		inputs = resource.NewPropertyMapFromMap(map[string]any{
			"keyUsage": "ENCRYPT_DECRYPT", "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
			"enableKeyRotation": true, "isEnabled": true,
		})
		state = inputs.Copy()
		state["keyId"] = resource.NewProperty(id)
		state["arn"] = resource.NewProperty(env.arn("kms", "key/"+id))
	default:
		return nil, nil, false
	}
	state["id"] = resource.NewProperty(id)
	return state, inputs, true
}

// identity are the outputs an in-place update never changes: what
// Imported keeps of a resource that existed before the program.
func identity() []resource.PropertyKey { return []resource.PropertyKey{"arn", "keyId"} }

// KeepIdentity returns the state of an in-place update: AWS keeps a
// resource's ARN and key id, so those come from the state before it, which
// for an imported resource are not what Outputs would compute.
func KeepIdentity(olds, state resource.PropertyMap) resource.PropertyMap {
	for _, k := range identity() {
		if v, ok := olds[k]; ok {
			state[k] = v
		}
	}
	return state
}
