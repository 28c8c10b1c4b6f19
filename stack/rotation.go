package stack

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotation"
)

// composeRotation deploys rotation for every automatically rotated secret: the
// Go rotator (built once per program run, shared by every function) or AWS's
// hosted rotator, and records every function in p.rotators for the alerts.
// Manually rotated secrets get no rotation; their reasons are exported so
// that `pulumi stack output manualRotation` says why and where the runbook is.
func composeRotation(ctx *pulumi.Context, p *parts, exports Exports) error {
	p.rotators = map[string]pulumi.StringOutput{}
	functions := pulumi.StringMap{}
	manual := pulumi.StringMap{}
	var code *rotation.Artifact
	for _, s := range p.cfg.Secrets {
		st := s.Rotation.Strategy
		if !st.Automatic() {
			manual[s.Name] = pulumi.String(s.Rotation.ManualReason)
			continue
		}
		secret, ok := p.catalog.Secrets[s.Name]
		if !ok {
			return fmt.Errorf("compose rotation: %s is not in the catalog", s.Name)
		}
		name := "rotation-" + s.Group + "-" + s.Short
		var fn pulumi.StringOutput
		if st.Hosted() {
			h, err := newHostedRotator(ctx, p, name, s, secret.Arn, secret)
			if err != nil {
				return err
			}
			fn = h.FunctionName
		} else {
			if code == nil {
				built, err := buildRotator(ctx)
				if err != nil {
					return err
				}
				code = &built
			}
			r, err := newRotator(ctx, p, name, s, *code, secret.Arn, secret)
			if err != nil {
				return err
			}
			fn = r.FunctionName
		}
		p.rotators[s.Name] = fn
		functions[s.Name] = fn
	}
	exports["rotationFunctions"] = functions
	exports["manualRotation"] = manual
	if code != nil {
		exports["rotatorSourceCodeHash"] = pulumi.String(code.SourceCodeHash)
	}
	return nil
}

// buildRotator builds cmd/rotator from the checkout the program runs in.
func buildRotator(ctx *pulumi.Context) (rotation.Artifact, error) {
	wd, err := os.Getwd()
	if err != nil {
		return rotation.Artifact{}, fmt.Errorf("compose rotation: %w", err)
	}
	root, err := rotation.ModuleRoot(wd)
	if err != nil {
		return rotation.Artifact{}, fmt.Errorf("compose rotation: %w", err)
	}
	code, err := rotation.Build(ctx.Context(), rotation.BuildArgs{Root: root})
	if err != nil {
		return rotation.Artifact{}, fmt.Errorf("compose rotation: %w", err)
	}
	return code, nil
}

func newRotator(ctx *pulumi.Context, p *parts, name string, s config.Secret, code rotation.Artifact, arn pulumi.StringOutput, secret pulumi.Resource) (*rotation.Rotator, error) {
	args := &rotation.RotatorArgs{
		Secret: s, SecretArn: arn, SecretResource: secret,
		Environment: p.cfg.Environment, Partition: p.acct.Partition, Region: p.cfg.Region, AccountID: p.acct.ID,
		DNSSuffix: p.acct.DNSSuffix,
		Strict:    p.cfg.Strict(), Code: code,
		SecretsKeyArn: p.keys.Secrets.Arn, PlatformKeyArn: p.keys.Platform.Arn,
		Tags: p.tags,
	}
	if s.AdminSecret != "" {
		admin, ok := p.catalog.Secrets[s.AdminSecret]
		if !ok {
			return nil, fmt.Errorf("compose rotation of %s: admin secret %s is not in the catalog", s.Name, s.AdminSecret)
		}
		args.AdminSecretArn = admin.Arn
	}
	if s.Rotation.Strategy.ReadsMasterSecret() {
		if p.db == nil || p.cfg.Database == nil {
			return nil, fmt.Errorf("compose rotation of %s: strategy %s needs the stack's database", s.Name, s.Rotation.Strategy)
		}
		args.MasterSecretArn = p.db.MasterSecretArn
		args.Network = &rotation.Network{SubnetIDs: p.db.SubnetIDs, SecurityGroupID: p.db.RotatorSecurityGroupID, Ready: p.db.Ready}
		args.DatabaseGrants = p.cfg.Database.Grants
	}
	return rotation.NewRotator(ctx, name, args)
}

func newHostedRotator(ctx *pulumi.Context, p *parts, name string, s config.Secret, arn pulumi.StringOutput, secret pulumi.Resource) (*rotation.HostedRotator, error) {
	if p.db == nil {
		return nil, fmt.Errorf("compose rotation of %s: strategy %s needs the stack's database", s.Name, s.Rotation.Strategy)
	}
	args := &rotation.HostedRotatorArgs{
		Secret: s, SecretArn: arn, SecretResource: secret,
		Environment: p.cfg.Environment, Partition: p.acct.Partition,
		SecretsManagerEndpoint: p.db.SecretsManagerEndpoint,
		Network:                &rotation.Network{SubnetIDs: p.db.SubnetIDs, SecurityGroupID: p.db.RotatorSecurityGroupID, Ready: p.db.Ready},
		SecretsKeyArn:          p.keys.Secrets.Arn,
		Tags:                   p.tags,
	}
	if s.Rotation.Strategy.ReadsMasterSecret() {
		args.MasterSecretArn = p.db.MasterSecretArn
	}
	return rotation.NewHostedRotator(ctx, name, args)
}
