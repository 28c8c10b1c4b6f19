package secrets

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
)

// CatalogArgs configures the secret catalog.
type CatalogArgs struct {
	// Environment is the stack's environment. Required.
	Environment string
	// Entries are the validated catalog entries. Required.
	Entries []config.Secret
	// KmsKeyArn encrypts every secret. Required.
	KmsKeyArn pulumi.StringInput
	// Protect guards secrets and first values (strict stacks).
	Protect bool
	// Tags are added to every secret.
	Tags map[string]string
	// Database fills the database secret's connection fields; required when
	// the catalog has a secret of kind database.
	Database *DatabaseConnection
	// ReplicaKeyArns are, by region, the stack's keys of the replica
	// regions; required for every region an entry replicates to.
	ReplicaKeyArns map[string]pulumi.StringInput
}

// Catalog is every named secret of a stack.
type Catalog struct {
	pulumi.ResourceState

	// Arns maps each full secret name to its ARN.
	Arns pulumi.StringMapOutput `pulumi:"arns"`
	// ReplicaArns maps each replicated secret's full name to its replicas'
	// ARNs by region.
	ReplicaArns pulumi.MapOutput `pulumi:"replicaArns"`
	// Secrets maps each full secret name to its component.
	Secrets map[string]*Secret
}

// NewCatalog registers every entry as a Secret component.
func NewCatalog(ctx *pulumi.Context, name string, args *CatalogArgs, opts ...pulumi.ResourceOption) (*Catalog, error) {
	if args == nil {
		return nil, errors.New("new catalog: args are required")
	}
	c := &Catalog{Secrets: map[string]*Secret{}}
	if err := ctx.RegisterComponentResource("secrets-platform:secrets:Catalog", name, c, opts...); err != nil {
		return nil, fmt.Errorf("register catalog: %w", err)
	}
	arns, replicas := pulumi.StringMap{}, pulumi.Map{}
	for _, e := range args.Entries {
		s, err := NewSecret(ctx, name+"-"+e.Group+"-"+e.Short, &SecretArgs{
			Entry:       e,
			Environment: args.Environment,
			KmsKeyArn:   args.KmsKeyArn,
			Protect:     args.Protect,
			Tags:        args.Tags,
			Database:    args.Database,
			// ReplicaKeyArns are read only for the entry's replica regions.
			ReplicaKeyArns: args.ReplicaKeyArns,
		}, pulumi.Parent(c))
		if err != nil {
			return nil, err
		}
		c.Secrets[e.Name] = s
		arns[e.Name] = s.Arn
		if len(s.ReplicaArns) > 0 {
			replicas[e.Name] = pulumi.ToStringMapOutput(s.ReplicaArns)
		}
	}
	c.Arns = arns.ToStringMapOutput()
	c.ReplicaArns = replicas.ToMapOutput()
	outs := pulumi.Map{"arns": c.Arns}
	if len(replicas) > 0 {
		outs["replicaArns"] = c.ReplicaArns
	}
	if err := ctx.RegisterResourceOutputs(c, outs); err != nil {
		return nil, fmt.Errorf("register catalog outputs: %w", err)
	}
	return c, nil
}
