package secrets

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// withReplicas asks Secrets Manager to keep a replica of the secret in each
// of the entry's replica regions, encrypted with that region's key of the
// stack (SECURITY-RULES 1 in every region). A secret without replicas gets
// no replicas input at all, so a stack that replicates nothing registers
// exactly what it did before replicas existed.
//
// forceOverwriteReplicaSecret stays false: a secret of the same name in a
// replica region (a replica promoted while the primary region was down,
// docs/runbooks/promote-replica.md) is never overwritten by a pulumi up;
// replication to that region fails, which the replication alert reports,
// until an operator has reconciled its value and replicates again by hand.
//
// The Terraform provider pulumi-aws wraps holds replicas as Optional and
// Computed (internal/service/secretsmanager/secret.go): dropping one region
// of several removes that replica, dropping the last one leaves replication
// as it is. The README says how to stop replicating a secret altogether.
func withReplicas(sa *secretsmanager.SecretArgs, args *SecretArgs) error {
	e := args.Entry
	if len(e.ReplicaRegions) == 0 {
		return nil
	}
	var replicas secretsmanager.SecretReplicaArray
	for _, r := range e.ReplicaRegions {
		key, ok := args.ReplicaKeyArns[r]
		if !ok || key == nil {
			return fmt.Errorf("secret %s replicates to %s, which has no key of the stack (ReplicaKeyArns)", e.Name, r)
		}
		replicas = append(replicas, secretsmanager.SecretReplicaArgs{Region: pulumi.String(r), KmsKeyId: key})
	}
	sa.Replicas = replicas
	sa.ForceOverwriteReplicaSecret = pulumi.Bool(false)
	return nil
}

// replicaArns are the replicas' ARNs by region, known from the primary's.
func replicaArns(arn pulumi.StringOutput, regions []string) map[string]pulumi.StringOutput {
	out := map[string]pulumi.StringOutput{}
	for _, r := range regions {
		out[r] = arn.ApplyT(func(a string) string { return iam.ARNInRegion(a, r) }).(pulumi.StringOutput)
	}
	return out
}
