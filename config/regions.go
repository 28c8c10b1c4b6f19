package config

import (
	"slices"

	"github.com/acme/secrets-platform/iam"
)

// RegionsSource is where the region table comes from: the regions AWS lists
// for both Secrets Manager and KMS (AWS General Reference, "AWS Secrets
// Manager endpoints and quotas" and "AWS Key Management Service endpoints and
// quotas"), by partition, as of RegionsAsOf. Secrets Manager replicates only
// within a partition: "if you use Secrets Manager in special AWS Regions such
// as AWS GovCloud (US) or China Regions, you can only configure secrets and
// the replicas within these specialized AWS Regions" (Secrets Manager user
// guide, "Replicate AWS Secrets Manager secrets across Regions"). A region
// AWS opens later is added here, with its source, by a reviewed commit.
const (
	RegionsSource = "AWS General Reference, Secrets Manager and KMS endpoints, by partition"
	RegionsAsOf   = "2026-12-05"
)

// regionsByPartition are the regions where both services run. Opt-in
// regions (af-south-1, ap-east-1, me-south-1, ...) must also be enabled in
// the account; config cannot see that, the first deploy does.
var regionsByPartition = map[string][]string{
	"aws": {
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
		"eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
		"me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
		"us-west-2",
	},
	"aws-cn":     {"cn-north-1", "cn-northwest-1"},
	"aws-us-gov": {"us-gov-east-1", "us-gov-west-1"},
}

// PartitionOf is the partition a region belongs to, by its name.
func PartitionOf(region string) string { return iam.PartitionOfRegion(region) }

// ReplicaRegionsOf lists the regions a secret whose primary is in primary
// may be replicated to: its partition's, but its own.
func ReplicaRegionsOf(primary string) []string {
	return slices.DeleteFunc(slices.Clone(regionsByPartition[PartitionOf(primary)]), func(r string) bool { return r == primary })
}

// KnownRegion reports whether the table lists region in the partition of
// primary.
func KnownRegion(primary, region string) bool {
	return slices.Contains(regionsByPartition[PartitionOf(primary)], region)
}
