package stack

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/crossaccount"
	"github.com/acme/secrets-platform/iam"
)

// composeAccess deploys the workloads' read roles and the cross-account
// shares, and exports, per workload, its role ARNs and the secrets it may
// read, and per external principal, its role and the secrets shared with it.
// Every component's args are validated before any registers, so a refused
// config leaves no grant behind.
func composeAccess(ctx *pulumi.Context, p *parts, exports Exports) error {
	workloadArgs := make([]*iam.WorkloadArgs, len(p.cfg.Workloads))
	for i, wl := range p.cfg.Workloads {
		args := &iam.WorkloadArgs{
			Kind:            iam.WorkloadKind(wl.Type),
			RoleName:        p.cfg.Environment + "-" + wl.Name,
			ExistingRoleARN: wl.RoleARN,
			SecretArns:      p.secretArns(wl.Secrets),
			KeyArn:          p.keys.Secrets.Arn,
			Partition:       p.acct.Partition,
			Region:          p.cfg.Region,
			DNSSuffix:       p.acct.DNSSuffix,
			AccountID:       p.acct.ID,
			VersionStage:    wl.VersionStage,
			Tags:            p.tags,
		}
		if len(wl.InjectAtStart) > 0 {
			args.InjectAtStartArns = p.secretArns(wl.InjectAtStart)
		}
		if err := args.Validate(); err != nil {
			return fmt.Errorf("compose access of workload %s: %w", wl.Name, err)
		}
		workloadArgs[i] = args
	}
	var sharingArgs *crossaccount.SharingArgs
	if len(p.cfg.CrossAccount) > 0 {
		shared := map[string]crossaccount.SharedSecret{}
		for _, ext := range p.cfg.CrossAccount {
			for _, name := range ext.Secrets {
				if s := p.catalog.Secrets[name]; s != nil {
					shared[name] = crossaccount.SharedSecret{Arn: s.Arn, KmsKeyID: s.Resource.KmsKeyId.Elem()}
				}
			}
		}
		sharingArgs = &crossaccount.SharingArgs{
			Principals: p.cfg.CrossAccount, Secrets: shared, KeyArn: p.keys.Secrets.Arn,
			Partition: p.acct.Partition, Region: p.cfg.Region, DNSSuffix: p.acct.DNSSuffix, AccountID: p.acct.ID,
			SessionName: "secrets-platform-" + p.cfg.Stack,
		}
		if err := sharingArgs.Validate(); err != nil {
			return fmt.Errorf("compose cross-account sharing: %w", err)
		}
	}

	workloads := pulumi.Map{}
	for i, wl := range p.cfg.Workloads {
		w, err := iam.NewWorkload(ctx, "access-"+wl.Name, workloadArgs[i])
		if err != nil {
			return fmt.Errorf("compose access of workload %s: %w", wl.Name, err)
		}
		workloads[wl.Name] = pulumi.Map{
			"roleArn": w.RoleArn, "executionRoleArn": w.ExecutionRoleArn, "secretArns": w.SecretArns,
		}
	}
	exports["workloads"] = workloads

	if sharingArgs == nil {
		return nil
	}
	sharing, err := crossaccount.NewSharing(ctx, "sharing", sharingArgs)
	if err != nil {
		return fmt.Errorf("compose cross-account sharing: %w", err)
	}
	exports["crossAccountPrincipalArns"] = sharing.PrincipalArns
	exports["crossAccountSecretArns"] = sharing.SharedSecretArns
	// The rule checker reads this output by name (stacktest.OutputConsumerSideElsewhere).
	exports["crossAccountConsumerSideElsewhere"] = sharing.ConsumerSideElsewhere
	return nil
}

// secretArns returns the catalog ARNs of the named secrets, in order.
func (p *parts) secretArns(names []string) pulumi.StringArray {
	var out pulumi.StringArray
	for _, n := range names {
		if s := p.catalog.Secrets[n]; s != nil {
			out = append(out, s.Arn)
		}
	}
	return out
}
