package stack

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/database"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotation/artifact"
	"github.com/acme/secrets-platform/secrets"
)

// rotators is what the rotation layer deployed.
type rotators struct {
	// functions maps each automatically rotated secret's name to its rotation
	// function's name, for the alarms.
	functions map[string]pulumi.StringOutput
	exports   Exports
}

// composeRotation deploys rotation for every automatically rotated secret: the
// Go rotator (built once per program run, shared by every function). Manually
// rotated secrets get no rotation; their reasons are
// exported so that `pulumi stack output manualRotation` says why and where
// the runbook is.
func composeRotation(ctx *pulumi.Context, b base, db *database.Database, catalog *secrets.Catalog) (rotators, error) {
	out := rotators{functions: map[string]pulumi.StringOutput{}}
	functions := pulumi.StringMap{}
	manual := pulumi.StringMap{}
	var code *artifact.Artifact
	slot := 0
	for _, s := range b.cfg.Secrets {
		st := s.Rotation.Strategy
		if !st.Automatic() {
			manual[s.Name] = pulumi.String(s.Rotation.ManualReason)
			continue
		}
		secret, ok := catalog.Secrets[s.Name]
		if !ok {
			return rotators{}, fmt.Errorf("compose rotation: %s is not in the catalog", s.Name)
		}
		name := "rotation-" + s.Group + "-" + s.Short
		if code == nil {
			built, err := buildRotator(ctx)
			if err != nil {
				return rotators{}, err
			}
			code = &built
		}
		r, err := newRotator(ctx, b, db, catalog, name, s, *code, slot, secret.Arn, secret)
		slot++
		if err != nil {
			return rotators{}, err
		}
		fn := r.FunctionName
		out.functions[s.Name] = fn
		functions[s.Name] = fn
	}
	out.exports = Exports{"rotationFunctions": functions, "manualRotation": manual}
	if code != nil {
		out.exports["rotatorSourceCodeHash"] = pulumi.String(code.SourceCodeHash)
	}
	return out, nil
}

// buildRotator builds cmd/rotator from the checkout the program runs in.
func buildRotator(ctx *pulumi.Context) (artifact.Artifact, error) {
	wd, err := os.Getwd()
	if err != nil {
		return artifact.Artifact{}, fmt.Errorf("compose rotation: %w", err)
	}
	root, err := artifact.ModuleRoot(wd)
	if err != nil {
		return artifact.Artifact{}, fmt.Errorf("compose rotation: %w", err)
	}
	code, err := artifact.Build(ctx.Context(), artifact.BuildArgs{Root: root})
	if err != nil {
		return artifact.Artifact{}, fmt.Errorf("compose rotation: %w", err)
	}
	return code, nil
}

func newRotator(ctx *pulumi.Context, b base, db *database.Database, catalog *secrets.Catalog, name string, s config.Secret, code artifact.Artifact, slot int, arn pulumi.StringOutput, secret pulumi.Resource) (*rotation.Rotator, error) {
	waitsFor, _ := b.cfg.AwaitingPrerequisite(s)
	args := &rotation.RotatorArgs{
		Secret: s, SecretArn: arn, SecretResource: secret, ScheduleSlot: slot, AwaitingPrerequisite: waitsFor,
		Environment: b.cfg.Environment, Account: b.acct,
		Strict: b.cfg.Strict(), Code: code,
		SecretsKeyArn: b.keys.Secrets.Arn, PlatformKeyArn: b.keys.Platform.Arn,
		Tags:                   b.tags,
		PermissionsBoundaryArn: iam.BoundaryARN(b.acct, b.cfg.Environment),
	}
	if s.AdminSecret != "" {
		admin, ok := catalog.Secrets[s.AdminSecret]
		if !ok {
			return nil, fmt.Errorf("compose rotation of %s: admin secret %s is not in the catalog", s.Name, s.AdminSecret)
		}
		args.AdminSecretArn = admin.Arn
	}
	if s.Rotation.Strategy.ReadsMasterSecret() {
		if db == nil {
			return nil, fmt.Errorf("compose rotation of %s: strategy %s needs the stack's database", s.Name, s.Rotation.Strategy)
		}
		args.MasterSecretArn = db.MasterSecretArn
		args.Network = &rotation.Network{SubnetIDs: db.SubnetIDs, SecurityGroupID: db.RotatorSecurityGroupID, Ready: db.Ready,
			DatabaseHost: db.Host, DatabasePort: db.Port, SecretsManagerEndpoint: db.SecretsManagerEndpointURL}
		args.DatabaseGrants = b.cfg.Database.Grants
	}
	return rotation.NewRotator(ctx, name, args)
}
