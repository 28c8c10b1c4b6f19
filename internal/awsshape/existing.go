package awsshape

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// existing answers the lookups of resources the program did not create (an
// existing VPC, its Secrets Manager endpoint, an existing RDS instance) the
// way AWS describes one that exists: what the lookup filtered on comes back
// as asked (AWS finds nothing otherwise, and the lookup fails), the rest in
// the shape AWS gives it, derived from the id so every run agrees. ok is
// false for a token it does not know.
func existing(token string, args resource.PropertyMap, env Env) (resource.PropertyMap, bool) {
	switch token {
	case "aws:ec2/getVpc:getVpc":
		id := stringOf(args, "id")
		h := digest(id)
		// A /16 in 10.0.0.0/8 that the id picks, with DNS on (a VPC that
		// already runs interface endpoints has both).
		cidr := fmt.Sprintf("10.%d.0.0/16", int(h[0])%200+20)
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": id, "arn": env.arn("ec2", "vpc/"+id), "cidrBlock": cidr,
			"cidrBlockAssociations": []any{map[string]any{"associationId": "vpc-cidr-assoc-" + h[:17], "cidrBlock": cidr, "state": "associated"}},
			"enableDnsSupport":      true, "enableDnsHostnames": true, "ownerId": env.Account, "state": "available",
			"default": false, "instanceTenancy": "default",
		}), true
	case "aws:ec2/getVpcEndpoint:getVpcEndpoint":
		id := stringOf(args, "id")
		h := digest(id)
		service := stringOf(args, "serviceName")
		short := service[strings.LastIndex(service, ".")+1:]
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": id, "arn": env.arn("ec2", "vpc-endpoint/"+id), "vpcId": stringOf(args, "vpcId"),
			"serviceName": service, "vpcEndpointType": "Interface", "state": "available",
			"privateDnsEnabled": true, "ownerId": env.Account,
			"securityGroupIds":    []any{"sg-" + h[:17]},
			"networkInterfaceIds": []any{"eni-" + h[17:34]},
			"dnsEntries": []any{
				map[string]any{"dnsName": id + "-" + h[34:42] + "." + short + "." + env.Region + ".vpce." + env.DNSSuffix(), "hostedZoneId": "Z2AEXAMPLE" + strings.ToUpper(h[:4])},
				map[string]any{"dnsName": short + "." + env.Region + "." + env.DNSSuffix(), "hostedZoneId": "Z3AEXAMPLE" + strings.ToUpper(h[4:8])},
			},
		}), true
	case "aws:rds/getInstance:getInstance":
		ident := stringOf(args, "dbInstanceIdentifier")
		h := digest(ident)
		host := fmt.Sprintf("%s.c%s.%s.rds.%s", ident, h[:12], env.Region, env.DNSSuffix())
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": ident, "dbInstanceIdentifier": ident, "dbInstanceArn": env.arn("rds", "db:"+ident),
			"address": host, "endpoint": fmt.Sprintf("%s:%d", host, 5432), "port": 5432, "dbInstancePort": 5432,
			"engine": "postgres", "engineVersion": "16.4", "dbName": "app", "masterUsername": "postgres",
			"storageEncrypted": true, "publiclyAccessible": false, "multiAz": true, "backupRetentionPeriod": 7,
			"vpcSecurityGroups": []any{"sg-" + h[12:29]}, "dbSubnetGroup": ident + "-subnets",
			"caCertIdentifier": "rds-ca-rsa2048-g1", "resourceId": "db-" + strings.ToUpper(h[:26]),
		}), true
	}
	return nil, false
}
