package secrets

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// KeyArgs configures a customer-managed KMS key.
type KeyArgs struct {
	// Alias is the alias without the "alias/" prefix, e.g. "prod/secrets". Required.
	Alias string
	// Description is shown in the console. Required.
	Description string
	// DeletionWindowDays is the waiting period after deletion is scheduled
	// (7-30; 30 in strict stacks). Required.
	DeletionWindowDays int
	// Policy is the key policy (see KeyPolicy). Required.
	Policy iam.Document
	// Protect guards the key against `pulumi destroy` (strict stacks).
	Protect bool
	// Tags are applied to the key.
	Tags map[string]string
	// AdoptID is the id of an existing key to take over (Pulumi's import)
	// instead of creating one; its policy, description and tags become
	// these on the same pulumi up. Optional.
	AdoptID string
}

// Key is a customer-managed symmetric KMS key with automatic rotation, an
// explicit key policy and an alias.
type Key struct {
	pulumi.ResourceState

	// Arn is the key ARN.
	Arn pulumi.StringOutput `pulumi:"arn"`
	// KeyID is the key id.
	KeyID pulumi.StringOutput `pulumi:"keyId"`
	// AliasName is "alias/{Alias}".
	AliasName pulumi.StringOutput `pulumi:"aliasName"`
}

// NewKey registers the key and its alias.
func NewKey(ctx *pulumi.Context, name string, args *KeyArgs, opts ...pulumi.ResourceOption) (*Key, error) {
	if args == nil {
		return nil, errors.New("new key: args are required")
	}
	if args.Alias == "" || args.Description == "" || args.DeletionWindowDays == 0 {
		return nil, fmt.Errorf("new key %s: Alias, Description and DeletionWindowDays are required", name)
	}
	policy, err := args.Policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("new key %s: %w", name, err)
	}
	k := &Key{}
	if err := ctx.RegisterComponentResource("secrets-platform:secrets:Key", name, k, opts...); err != nil {
		return nil, fmt.Errorf("register key %s: %w", name, err)
	}
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:           pulumi.String(args.Description),
		KeyUsage:              pulumi.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: pulumi.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     pulumi.Bool(true),
		IsEnabled:             pulumi.Bool(true),
		DeletionWindowInDays:  pulumi.Int(args.DeletionWindowDays),
		// The lockout safety check stays on: AWS refuses a policy that would
		// leave the deploying role unable to change it again.
		BypassPolicyLockoutSafetyCheck: pulumi.Bool(false),
		Policy:                         pulumi.String(policy),
		Tags:                           pulumi.ToStringMap(args.Tags),
	}, keyOptions(k, args)...)
	if err != nil {
		return nil, fmt.Errorf("create key %s: %w", name, err)
	}
	alias, err := kms.NewAlias(ctx, name+"-alias", &kms.AliasArgs{
		Name:        pulumi.String("alias/" + args.Alias),
		TargetKeyId: key.KeyId,
	}, pulumi.Parent(k))
	if err != nil {
		return nil, fmt.Errorf("create key alias %s: %w", name, err)
	}
	k.Arn, k.KeyID, k.AliasName = key.Arn, key.KeyId, alias.Name
	if err := ctx.RegisterResourceOutputs(k, pulumi.Map{
		"arn": key.Arn, "keyId": key.KeyId, "aliasName": alias.Name,
	}); err != nil {
		return nil, fmt.Errorf("register key outputs %s: %w", name, err)
	}
	return k, nil
}

// keyOptions: a key is protected in strict stacks and, when adopted,
// imported. Its spec and usage (the fields that would replace it) are
// symmetric encryption on both sides, so the import updates it in place.
func keyOptions(k *Key, args *KeyArgs) []pulumi.ResourceOption {
	opts := []pulumi.ResourceOption{pulumi.Parent(k), pulumi.Protect(args.Protect)}
	if args.AdoptID != "" {
		opts = append(opts, pulumi.Import(pulumi.ID(args.AdoptID)))
	}
	return opts
}
