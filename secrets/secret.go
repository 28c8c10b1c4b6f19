package secrets

import (
	"errors"
	"fmt"
	"maps"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotator/contract"
)

// SecretArgs configures one named secret.
type SecretArgs struct {
	// Entry is the validated catalog entry. Required.
	Entry config.Secret
	// Environment is the stack's environment, for the Environment tag. Required.
	Environment string
	// KmsKeyArn encrypts the secret (never aws/secretsmanager). Required.
	KmsKeyArn pulumi.StringInput
	// Protect guards the secret and its first value (strict stacks).
	Protect bool
	// Tags are stack-wide tags; the entry's own tags and the program's win.
	Tags map[string]string
	// Database fills a database secret's connection fields; required for that kind.
	Database *DatabaseConnection
	// ReplicaKeyArns are, by region, the customer-managed keys that encrypt
	// the replicas; required for every region of Entry.ReplicaRegions.
	ReplicaKeyArns map[string]pulumi.StringInput
}

// Secret is a named secret with its first version. The first version is
// write-once: rotation or an operator owns the value afterwards, so a later
// `pulumi up` never overwrites it. In a strict stack it is a placeholder that
// holds nothing secret (decision D3).
type Secret struct {
	pulumi.ResourceState

	// LogicalName is the component's name; the secret's rotation and schedule
	// slot are its children named after it.
	LogicalName string
	// Arn is the secret ARN (with its six-character suffix).
	Arn pulumi.StringOutput `pulumi:"arn"`
	// Name is the full /{env}/{group}/{name}.
	Name pulumi.StringOutput `pulumi:"name"`
	// AwaitingFirstValue is true when an operator must put the first value.
	AwaitingFirstValue bool
	// FirstVersion is the program's first version (a placeholder, or a
	// disposable stack's value from secret config); the rotation waits for
	// it. nil for an adopted secret, which has versions of its own.
	FirstVersion *secretsmanager.SecretVersion
	// Resource is the underlying secret, for rotation and policies to attach to.
	Resource *secretsmanager.Secret
	// ReplicaArns are the replicas' ARNs by region: the secret's ARN with
	// the region changed. Empty when the secret is not replicated.
	ReplicaArns map[string]pulumi.StringOutput
}

// NewSecret registers the secret and its first version, or imports an
// existing secret (Entry.AdoptARN) without touching its versions.
func NewSecret(ctx *pulumi.Context, name string, args *SecretArgs, opts ...pulumi.ResourceOption) (*Secret, error) {
	if args == nil {
		return nil, errors.New("new secret: args are required")
	}
	if args.KmsKeyArn == nil || args.Entry.Name == "" || args.Environment == "" {
		return nil, fmt.Errorf("new secret %s: Entry, Environment and KmsKeyArn are required", name)
	}
	e := args.Entry
	s := &Secret{LogicalName: name}
	if err := ctx.RegisterComponentResource("secrets-platform:secrets:Secret", name, s, opts...); err != nil {
		return nil, fmt.Errorf("register secret %s: %w", e.Name, err)
	}
	s.AwaitingFirstValue = !e.HasValue()

	secretOpts := []pulumi.ResourceOption{pulumi.Parent(s), pulumi.Protect(args.Protect)}
	if e.Adopted() {
		// Pulumi reads the existing secret into state, then applies the
		// differences (key, description, tags) as an update; the name is
		// the same by config, so nothing forces a replacement.
		secretOpts = append(secretOpts, pulumi.Import(pulumi.ID(e.AdoptARN)))
	}
	secretArgs := &secretsmanager.SecretArgs{
		Name:                 pulumi.String(e.Name),
		Description:          pulumi.String(e.Description),
		KmsKeyId:             args.KmsKeyArn,
		RecoveryWindowInDays: pulumi.Int(e.RecoveryWindowDays),
		Tags:                 pulumi.ToStringMap(tags(args)),
	}
	if err := withReplicas(secretArgs, args); err != nil {
		return nil, fmt.Errorf("new secret %s: %w", name, err)
	}
	sec, err := secretsmanager.NewSecret(ctx, name+"-secret", secretArgs, secretOpts...)
	if err != nil {
		return nil, fmt.Errorf("create secret %s: %w", e.Name, err)
	}
	s.Arn, s.Name, s.Resource = sec.Arn, sec.Name, sec
	s.ReplicaArns = replicaArns(sec.Arn, e.ReplicaRegions)
	if !e.Adopted() {
		if s.FirstVersion, err = newFirstVersion(ctx, name, sec, args, s); err != nil {
			return nil, err
		}
	}
	outs := pulumi.Map{"arn": sec.Arn, "name": sec.Name}
	if len(s.ReplicaArns) > 0 {
		outs["replicaArns"] = pulumi.ToStringMapOutput(s.ReplicaArns)
	}
	if err := ctx.RegisterResourceOutputs(s, outs); err != nil {
		return nil, fmt.Errorf("register secret outputs %s: %w", e.Name, err)
	}
	return s, nil
}

// newFirstVersion writes the first version of a secret the program creates.
// An adopted secret gets none: its versions are its own, and importing one
// would put its value into Pulumi's state.
func newFirstVersion(ctx *pulumi.Context, name string, sec *secretsmanager.Secret, args *SecretArgs, s *Secret) (*secretsmanager.SecretVersion, error) {
	e := args.Entry
	value, isSecret, err := firstValue(e, args.Database)
	if err != nil {
		return nil, err
	}
	versionArgs := &secretsmanager.SecretVersionArgs{SecretId: sec.ID(), SecretString: value}
	versionOpts := []pulumi.ResourceOption{
		pulumi.Parent(s), pulumi.Protect(args.Protect),
		// Write-once: rotation and operators own the value after creation, and
		// Secrets Manager moves the labels.
		pulumi.IgnoreChanges([]string{"secretString", "versionStages"}),
	}
	if isSecret {
		versionOpts = append(versionOpts, pulumi.AdditionalSecretOutputs([]string{"secretString"}))
	} else {
		// Secrets Manager adds AWSCURRENT to a secret's first version. Should
		// Pulumi ever recreate this one, it names only PLACEHOLDER, so
		// AWSCURRENT stays on the real value.
		versionArgs.VersionStages = pulumi.ToStringArray([]string{contract.PlaceholderStage})
	}
	first, err := secretsmanager.NewSecretVersion(ctx, name+"-first-value", versionArgs, versionOpts...)
	if err != nil {
		return nil, fmt.Errorf("create first version of %s: %w", e.Name, err)
	}
	return first, nil
}

// tags: the program's tags win over the entry's, which win over the stack's.
// FirstValue says where the first value comes from: the rotator, an operator
// (docs/runbooks/first-value-third-party-key.md), the secret's life before
// the stack adopted it, or, in a disposable stack, stack config.
func tags(args *SecretArgs) map[string]string {
	t := maps.Clone(args.Tags)
	if t == nil {
		t = map[string]string{}
	}
	maps.Copy(t, args.Entry.Tags)
	rotation := "automatic"
	if !args.Entry.Rotation.Strategy.Automatic() {
		rotation = "manual"
	}
	firstValue := "rotator"
	switch e := args.Entry; {
	case e.Adopted():
		firstValue = "adopted"
	case e.InitialValue.IsSet():
		firstValue = "stack-config"
	case e.OperatorValued():
		firstValue = "operator"
	}
	maps.Copy(t, map[string]string{
		"Environment": args.Environment,
		"ManagedBy":   "pulumi",
		"Rotation":    rotation,
		"FirstValue":  firstValue,
	})
	return t
}
