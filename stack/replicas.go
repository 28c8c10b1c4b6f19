package stack

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/secrets"
)

// readsOf splits what a reader running in regions reads (config
// ReadsByRegion) into the primaries, by name, and the replicas of each
// replica region with that region's key.
func readsOf(b base, catalog *secrets.Catalog, names, regions []string) (primaries []string, replicas []iam.WorkloadReplica) {
	byRegion := b.cfg.ReadsByRegion(names, regions)
	primaries = byRegion[b.cfg.Region]
	for _, r := range regions {
		if r == b.cfg.Region || len(byRegion[r]) == 0 {
			continue
		}
		var arns pulumi.StringArray
		for _, n := range byRegion[r] {
			arns = append(arns, catalog.Secrets[n].ReplicaArns[r])
		}
		replicas = append(replicas, iam.WorkloadReplica{Region: r, KeyArn: b.keys.Replicas[r].Arn, SecretArns: arns})
	}
	return primaries, replicas
}

// arnsByRegion is, for each region a reader runs in, the ARN of the copy of
// each secret it reads there: the replica, or the primary where there is
// none (an external secret is always its primary).
func arnsByRegion(b base, catalog *secrets.Catalog, names, regions []string) pulumi.StringArrayMap {
	out := pulumi.StringArrayMap{}
	for _, r := range regions {
		var arns pulumi.StringArray
		for _, n := range names {
			switch s := catalog.Secrets[n]; {
			case s == nil:
				arns = append(arns, externalArns(b.cfg, []string{n})...)
			case b.cfg.ReadRegion(n, r) == r && r != b.cfg.Region:
				arns = append(arns, s.ReplicaArns[r])
			default:
				arns = append(arns, s.Arn)
			}
		}
		out[r] = arns
	}
	return out
}

// replicaExports are the replicas' ARNs by secret and region, when the
// stack replicates anything: what a client in a replica region names.
func replicaExports(b base, catalog *secrets.Catalog) Exports {
	if len(b.cfg.ReplicaRegionsInUse()) == 0 {
		return Exports{}
	}
	return Exports{"secretReplicaArns": catalog.ReplicaArns, "replicaRegions": pulumi.ToStringArray(slices.Clone(b.cfg.ReplicaRegionsInUse()))}
}
