package awsshape

import "strings"

// DefaultAccount is the account a provider reports when its config names none
// (no aws:allowedAccountIds and no role to assume).
const DefaultAccount = "123456789012"

// Env is where a provider deploys: the account and region it is configured
// for. The partition and DNS suffix follow from the region.
type Env struct {
	Account string
	Region  string
}

// Partition is the AWS partition of the region: aws, aws-cn or aws-us-gov.
func (e Env) Partition() string {
	switch {
	case strings.HasPrefix(e.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(e.Region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// DNSSuffix is the partition's DNS suffix, as aws.GetPartition reports it.
func (e Env) DNSSuffix() string {
	if e.Partition() == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// arn builds a regional ARN in the env's partition, region and account.
func (e Env) arn(service, rest string) string {
	return "arn:" + e.Partition() + ":" + service + ":" + e.Region + ":" + e.Account + ":" + rest
}

// globalARN builds an ARN of a global service (IAM): no region.
func (e Env) globalARN(service, rest string) string {
	return "arn:" + e.Partition() + ":" + service + "::" + e.Account + ":" + rest
}
