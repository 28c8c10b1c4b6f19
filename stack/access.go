package stack

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/crossaccount"
	"github.com/acme/secrets-platform/database"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/secrets"
)

// composeAccess deploys the workloads' read roles and the cross-account
// shares, and exports, per workload, its role ARNs and the secrets it may
// read, and per external principal, its role and the secrets shared with it.
// Every component's args are validated before any registers, so a refused
// config leaves no grant behind.
func composeAccess(ctx *pulumi.Context, b base, catalog *secrets.Catalog, db *database.Database) (Exports, error) {
	workloadArgs := make([]*iam.WorkloadArgs, len(b.cfg.Workloads))
	for i, wl := range b.cfg.Workloads {
		// In each region it runs in, a workload reads the copy there, or
		// the primary of a secret that has none there.
		primaries, replicas := readsOf(b, catalog, wl.Secrets, wl.Regions)
		args := &iam.WorkloadArgs{
			Kind:                   iam.WorkloadKind(wl.Type),
			Environment:            b.cfg.Environment,
			RoleName:               iam.RolePrefix(b.cfg.Environment) + wl.Name,
			PermissionsBoundaryArn: iam.BoundaryARN(b.acct, b.cfg.Environment),
			ExistingRoleARN:        wl.RoleARN,
			SecretArns:             append(secretArns(catalog, primaries), externalArns(b.cfg, primaries)...),
			Replicas:               replicas,
			Regions:                wl.Regions,
			KeyArn:                 b.keys.Secrets.Arn,
			OtherKeyArns:           externalKeys(b.cfg, primaries),
			Account:                b.acct,
			VersionStage:           wl.VersionStage,
			Tags:                   b.tags,
		}
		withKind(b, wl, args)
		if len(wl.InjectAtStart) > 0 {
			injected, injectedReplicas := readsOf(b, catalog, wl.InjectAtStart, wl.Regions)
			args.InjectAtStartArns = append(secretArns(catalog, injected), externalArns(b.cfg, injected)...)
			args.InjectAtStartReplicas = injectedReplicas
		}
		if err := args.Validate(); err != nil {
			return nil, fmt.Errorf("compose access of workload %s: %w", wl.Name, err)
		}
		workloadArgs[i] = args
	}
	var sharingArgs *crossaccount.SharingArgs
	if len(b.cfg.CrossAccount) > 0 {
		shared := map[string]crossaccount.SharedSecret{}
		for _, ext := range b.cfg.CrossAccount {
			for _, name := range ext.Secrets {
				if s := catalog.Secrets[name]; s != nil {
					entry, _ := b.cfg.Secret(name)
					shared[name] = crossaccount.SharedSecret{Arn: s.Arn, KmsKeyID: s.Resource.KmsKeyId.Elem(), ReplicaRegions: entry.ReplicaRegions}
				}
			}
		}
		sharingArgs = &crossaccount.SharingArgs{
			Principals: b.cfg.CrossAccount, Secrets: shared, KeyArn: b.keys.Secrets.Arn,
			ReplicaKeyArns: b.keys.replicaArns(),
			Account:        b.acct, SessionName: "secrets-platform-" + b.cfg.Stack,
		}
		if err := sharingArgs.Validate(); err != nil {
			return nil, fmt.Errorf("compose cross-account sharing: %w", err)
		}
	}

	workloads := pulumi.Map{}
	for i, wl := range b.cfg.Workloads {
		w, err := iam.NewWorkload(ctx, "access-"+wl.Name, workloadArgs[i])
		if err != nil {
			return nil, fmt.Errorf("compose access of workload %s: %w", wl.Name, err)
		}
		out, err := kindExports(b, wl, w, db)
		if err != nil {
			return nil, fmt.Errorf("compose access of workload %s: %w", wl.Name, err)
		}
		out["roleArn"], out["executionRoleArn"], out["secretArns"] = w.RoleArn, w.ExecutionRoleArn, w.SecretArns
		// An existing role's owner attaches the read policy themselves.
		out["readPolicyArn"], out["attachCommand"] = w.ReadPolicyArn, w.AttachCommand
		if !slices.Equal(wl.Regions, []string{b.cfg.Region}) {
			// What to read where: the ARN a client in each region names.
			out["secretArnsByRegion"] = arnsByRegion(b, catalog, wl.Secrets, wl.Regions)
		}
		workloads[wl.Name] = out
	}
	exports := Exports{"workloads": workloads}

	if sharingArgs == nil {
		return exports, nil
	}
	sharing, err := crossaccount.NewSharing(ctx, "sharing", sharingArgs)
	if err != nil {
		return nil, fmt.Errorf("compose cross-account sharing: %w", err)
	}
	exports["crossAccountPrincipalArns"] = sharing.PrincipalArns
	exports["crossAccountSecretArns"] = sharing.SharedSecretArns
	// The rule checker reads this output by name (rules.OutputConsumerSideElsewhere).
	exports["crossAccountConsumerSideElsewhere"] = sharing.ConsumerSideElsewhere
	return exports, nil
}

// secretArns returns the catalog ARNs of the named secrets, in order.
func secretArns(catalog *secrets.Catalog, names []string) pulumi.StringArray {
	var out pulumi.StringArray
	for _, n := range names {
		if s := catalog.Secrets[n]; s != nil {
			out = append(out, s.Arn)
		}
	}
	return out
}
