package awsshape

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Invoke answers the provider functions (data sources) the program calls, the
// way AWS would for env: the caller's identity, the partition, the region and
// its availability zones, and the resources it looks up but did not create. Any other token is an error naming it, so a new
// lookup in the program shows up as a failing run rather than an empty answer.
func Invoke(token string, args resource.PropertyMap, env Env) (resource.PropertyMap, error) {
	switch token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": env.Account, "id": env.Account, "userId": "AROAEXAMPLEDEPLOYER:pulumi",
			"arn": fmt.Sprintf("arn:%s:sts::%s:assumed-role/secrets-platform-deploy/pulumi", env.Partition(), env.Account),
		}), nil
	case "aws:index/getPartition:getPartition":
		reverse := "com.amazonaws"
		if env.Partition() == "aws-cn" {
			reverse = "cn.com.amazonaws"
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": env.Partition(), "partition": env.Partition(), "dnsSuffix": env.DNSSuffix(), "reverseDnsPrefix": reverse,
		}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": env.Region, "name": env.Region, "region": env.Region,
			"endpoint": "ec2." + env.Region + "." + env.DNSSuffix(), "description": env.Region,
		}), nil
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		names := []any{env.Region + "a", env.Region + "b", env.Region + "c"}
		ids := []any{zoneID(env.Region, 1), zoneID(env.Region, 2), zoneID(env.Region, 3)}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": env.Region, "names": names, "zoneIds": ids, "groupNames": []any{env.Region},
			"state": stringOf(args, "state"),
		}), nil
	}
	if ret, ok := existing(token, args, env); ok {
		return ret, nil
	}
	return nil, fmt.Errorf("awsshape has no answer for the invoke %s: add it to awsshape.Invoke", token)
}

// zoneID is the account-independent id AWS gives the n-th zone of a region:
// eu-west-1 has euw1-az1, euw1-az2 and euw1-az3.
func zoneID(region string, n int) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 || parts[1] == "" {
		return fmt.Sprintf("%s-az%d", region, n)
	}
	return fmt.Sprintf("%s%c%s-az%d", parts[0], parts[1][0], parts[2], n)
}
