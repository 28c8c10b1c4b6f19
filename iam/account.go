package iam

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Account is where a stack deploys: the account, partition, region and DNS
// suffix that every ARN, principal and condition of the stack names. The
// composition looks it up once and hands the same value to every component.
type Account struct {
	// ID is the 12-digit account ID.
	ID string
	// Partition is aws, aws-cn or aws-us-gov.
	Partition string
	// Region is the stack's region.
	Region string
	// DNSSuffix is the partition's DNS suffix (amazonaws.com; amazonaws.com.cn
	// in aws-cn), for service hosts such as kms:ViaService.
	DNSSuffix string
}

// Validate reports a missing field.
func (a Account) Validate() error {
	if a.ID == "" || a.Partition == "" || a.Region == "" || a.DNSSuffix == "" {
		return errors.New("account: ID, Partition, Region and DNSSuffix are required")
	}
	return nil
}

// InRegion is the same account in another region: where a replica, its key
// and the Secrets Manager that serves it are.
func (a Account) InRegion(region string) Account {
	a.Region = region
	return a
}

// RegionSid turns a region into a statement id part: "us-east-1" becomes
// "UsEast1" (Sids are alphanumeric).
func RegionSid(region string) string {
	var b []byte
	upper := true
	for _, c := range []byte(region) {
		switch {
		case c == '-':
			upper = true
		case upper && c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
			upper = false
		default:
			b = append(b, c)
			upper = false
		}
	}
	return string(b)
}

// ARN is the ARN of a regional resource of this account, e.g.
// ARN("lambda", "function:prod-x").
func (a Account) ARN(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.Partition, service, a.Region, a.ID, resource)
}

// GlobalARN is the ARN of a global resource of this account, e.g.
// GlobalARN("iam", "role/prod-x").
func (a Account) GlobalARN(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s::%s:%s", a.Partition, service, a.ID, resource)
}

// Root is the account principal, arn:<partition>:iam::<id>:root.
func (a Account) Root() string { return a.GlobalARN("iam", "root") }

// ServiceHost is a service's regional host name, e.g.
// secretsmanager.eu-west-1.amazonaws.com, which is also its kms:ViaService value.
func (a Account) ServiceHost(service string) string {
	return fmt.Sprintf("%s.%s.%s", service, a.Region, a.DNSSuffix)
}

// AWSManagedPolicyARN is the ARN of an AWS-managed policy in a partition,
// e.g. AWSManagedPolicyARN("aws", "service-role/AWSLambdaVPCAccessExecutionRole").
func AWSManagedPolicyARN(partition, name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", partition, name)
}

// RegionOf returns the region of an ARN, "" when it is not one or has none.
func RegionOf(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Region
}

// PartitionOfRegion is the partition a region belongs to, by its name.
func PartitionOfRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ARNInRegion is the same ARN in another region: a replica's ARN is its
// primary's with the region changed (Secrets Manager user guide, "Replicate
// AWS Secrets Manager secrets across Regions"). "" when s is not an ARN.
func ARNInRegion(s, region string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	a.Region = region
	return a.String()
}

// AccountOf returns the account of an ARN, "" when it is not one.
func AccountOf(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.AccountID
}
