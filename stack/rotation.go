package stack

import (
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/database"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotation/artifact"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/secrets"
)

// rotators is what the rotation layer deployed.
type rotators struct {
	// functions maps each rotation function's group name to its name output,
	// for the alarms; keyrings are the keyring groups among them; sweeps are
	// the grace sweeps' schedules, whose targets dead-letter to the alerts'
	// queue.
	functions map[string]pulumi.StringOutput
	keyrings  []rotation.Group
	sweeps    []string
	exports   Exports
}

// groupSettings are a secret's rotator settings as the plan compares them
// (rotation.PlanSettings): a database secret's are its own login's grants
// and the database's schema split, so the application's and the migration
// login's secrets share a function only when those, and their strategies,
// are the same.
func groupSettings(cfg config.Config) func(config.Secret) contract.Settings {
	return func(s config.Secret) contract.Settings {
		var logins contract.Logins
		if cfg.Database != nil {
			logins = rotation.DatabaseLogins(*cfg.Database, s.Name)
		}
		return rotation.PlanSettings(s, logins)
	}
}

// planRotation cuts the rotated secrets into the groups their functions will
// serve (decision D1), before anything is registered, so that a group that
// cannot fit fails the config.
func planRotation(cfg config.Config, acct iam.Account) ([]rotation.Group, error) {
	settings := groupSettings(cfg)
	// A secret that cannot fit even alone is named with what is too big.
	var ps []config.Problem
	for _, s := range cfg.Secrets {
		if !s.Rotation.Strategy.Automatic() {
			continue
		}
		sz, err := rotation.Measure(acct, cfg.Environment, settings, []config.Secret{s})
		if err != nil {
			ps = append(ps, config.Problem{Key: s.Key, Value: s.Name, Allowed: err.Error()})
			continue
		}
		for _, over := range sz.Over() {
			ps = append(ps, config.Problem{Key: s.Key, Value: s.Name, Allowed: over})
		}
	}
	if len(ps) > 0 {
		return nil, &config.Error{Stack: cfg.Stack, Problems: ps}
	}
	groups, err := rotation.Groups(cfg.Environment, cfg.Secrets, settings, rotation.Limits(acct, cfg.Environment, settings))
	if err != nil {
		return nil, &config.Error{Stack: cfg.Stack, Problems: []config.Problem{{Key: config.Project + ":secrets", Value: "(rotated secrets)", Allowed: err.Error()}}}
	}
	return groups, nil
}

// composeRotation deploys one Go rotator per planned group; the functions
// share one build of cmd/rotator. Manually rotated secrets get no rotation;
// their reasons are exported so that `pulumi stack output manualRotation`
// says why and where the runbook is.
func composeRotation(ctx *pulumi.Context, b base, db *database.Database, catalog *secrets.Catalog, groups []rotation.Group) (rotators, error) {
	out := rotators{functions: map[string]pulumi.StringOutput{}}
	manual := pulumi.StringMap{}
	slots := map[string]int{}
	for _, s := range b.cfg.Secrets {
		if !s.Rotation.Strategy.Automatic() {
			manual[s.Name] = pulumi.String(s.Rotation.ManualReason)
			continue
		}
		slots[s.Name] = len(slots)
	}
	out.exports = Exports{"manualRotation": manual, "rotationFunctions": pulumi.StringMap{}}
	if len(groups) == 0 {
		return out, nil
	}
	code, err := buildRotator(ctx)
	if err != nil {
		return rotators{}, err
	}
	functions := pulumi.StringMap{}
	for _, g := range groups {
		r, err := newRotator(ctx, b, db, catalog, g, code, slots)
		if err != nil {
			return rotators{}, err
		}
		out.functions[g.Name] = r.FunctionName
		if g.Settings.Strategy == contract.Keyring {
			out.keyrings = append(out.keyrings, g)
		}
		if g.Settings.Strategy.RevokesKeys() {
			out.sweeps = append(out.sweeps, rotation.SweepRuleName(g.Name))
		}
		for _, s := range g.Secrets {
			functions[s.Name] = r.FunctionName
		}
	}
	out.exports["rotationFunctions"] = functions
	out.exports["rotatorSourceCodeHash"] = pulumi.String(code.SourceCodeHash)
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

// rotatorName is a group's logical name: "rotation-" and its function's name
// without the {env}-rotate- prefix.
func rotatorName(env string, g rotation.Group) string {
	return "rotation-" + strings.TrimPrefix(g.Name, env+"-rotate-")
}

func newRotator(ctx *pulumi.Context, b base, db *database.Database, catalog *secrets.Catalog, g rotation.Group, code artifact.Artifact, slots map[string]int) (*rotation.Rotator, error) {
	args := &rotation.RotatorArgs{
		Group: g, Targets: map[string]rotation.Target{},
		Environment: b.cfg.Environment, Account: b.acct,
		Strict: b.cfg.Strict(), Code: code,
		SecretsKeyArn: b.keys.Secrets.Arn, PlatformKeyArn: b.keys.Platform.Arn,
		ReplicaKeyArns:         b.keys.replicaArns(),
		Tags:                   b.tags,
		PermissionsBoundaryArn: iam.BoundaryARN(b.acct, b.cfg.Environment),
		DeadLetterArn:          alerts.DeadLetterQueueARN(b.acct, b.cfg.Environment),
	}
	for _, s := range g.Secrets {
		secret, ok := catalog.Secrets[s.Name]
		if !ok {
			return nil, fmt.Errorf("compose rotation: %s is not in the catalog", s.Name)
		}
		waitsFor, _ := b.cfg.AwaitingPrerequisite(s)
		t := rotation.Target{Arn: secret.Arn, Parent: secret, ParentName: secret.LogicalName, Slot: slots[s.Name], AwaitingPrerequisite: waitsFor}
		if secret.FirstVersion != nil {
			t.DependsOn = []pulumi.Resource{secret.FirstVersion}
		}
		args.Targets[s.Name] = t
	}
	first := g.Secrets[0]
	if first.AdminSecret != "" {
		admin, ok := catalog.Secrets[first.AdminSecret]
		if !ok {
			return nil, fmt.Errorf("compose rotation of %s: admin secret %s is not in the catalog", g.Name, first.AdminSecret)
		}
		args.AdminSecretArn = admin.Arn
	}
	if g.Settings.Strategy.ReadsMasterSecret() {
		if db == nil {
			return nil, fmt.Errorf("compose rotation of %s: strategy %s needs the stack's database", g.Name, g.Settings.Strategy)
		}
		args.MasterSecretArn = db.MasterSecretArn
		args.Network = &rotation.Network{SubnetIDs: db.SubnetIDs, SecurityGroupID: db.RotatorSecurityGroupID, Ready: db.Ready,
			DatabaseHost: db.Host, DatabasePort: db.Port, SecretsManagerEndpoint: db.SecretsManagerEndpointURL}
		args.DatabaseGrants = g.Settings.Database.Grants
	}
	return rotation.NewRotator(ctx, rotatorName(b.cfg.Environment, g), args)
}
