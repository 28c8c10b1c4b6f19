package awsshape

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// autoNamed maps the types whose provider names the resource when the program
// does not (pulumi-aws auto-naming: the logical name plus seven random
// characters) to the property that holds the name.
var autoNamed = map[string]string{
	"aws:cfg/rule:Rule":                      "name",
	"aws:cloudwatch/eventRule:EventRule":     "name",
	"aws:cloudwatch/logGroup:LogGroup":       "name",
	"aws:cloudwatch/metricAlarm:MetricAlarm": "name",
	"aws:ec2/securityGroup:SecurityGroup":    "name",
	"aws:iam/policy:Policy":                  "name",
	"aws:iam/role:Role":                      "name",
	"aws:iam/rolePolicy:RolePolicy":          "name",
	"aws:kms/alias:Alias":                    "name",
	"aws:lambda/function:Function":           "name",
	"aws:rds/instance:Instance":              "identifier",
	"aws:rds/parameterGroup:ParameterGroup":  "name",
	"aws:rds/subnetGroup:SubnetGroup":        "name",
	"aws:secretsmanager/secret:Secret":       "name",
	"aws:sns/topic:Topic":                    "name",
	"aws:sfn/stateMachine:StateMachine":      "name",
	"aws:lambda/permission:Permission":       "statementId",
	"aws:cloudwatch/eventTarget:EventTarget": "targetId",
}

// Outputs returns the physical id AWS gives a resource of type typ that the
// program registers under the logical name with inputs, and the state the
// provider reports: the inputs plus what AWS computes. Secret inputs stay
// secret. The same type, name and inputs always give the same result.
func Outputs(typ, name string, inputs resource.PropertyMap, env Env) (string, resource.PropertyMap) {
	state := inputs.Copy()
	if !strings.HasPrefix(typ, "aws:") {
		return name, state
	}
	h := digest(typ + "/" + name)
	set := func(k string, v any) { state[resource.PropertyKey(k)] = resource.NewPropertyValue(v) }
	str := func(k string) string { return stringOf(state, k) }
	if prop, ok := autoNamed[typ]; ok && str(prop) == "" {
		set(prop, name+"-"+h[:7])
	}
	if tags, ok := state["tags"]; ok {
		// tagsAll is tags merged with the provider's default tags (none here).
		state["tagsAll"] = tags
	}
	physical := str("name")
	if physical == "" {
		physical = name + "-" + h[:7]
	}
	id := physical
	switch typ {
	case "aws:kms/key:Key":
		id = uuidOf(h)
		set("keyId", id)
		set("arn", env.arn("kms", "key/"+id))
	case "aws:kms/alias:Alias":
		set("arn", env.arn("kms", physical))
		if t := str("targetKeyId"); strings.HasPrefix(t, "arn:") {
			set("targetKeyArn", t)
		} else {
			set("targetKeyArn", env.arn("kms", "key/"+t))
		}
	case "aws:secretsmanager/secret:Secret":
		id = env.arn("secretsmanager", "secret:"+physical+"-"+secretSuffix(h))
		set("arn", id)
		if v, ok := state["replicas"]; ok {
			state["replicas"] = replicaStatus(v)
		}
	case "aws:secretsmanager/secretVersion:SecretVersion":
		set("versionId", uuidOf(h))
		set("arn", str("secretId"))
		set("versionStages", []any{"AWSCURRENT"})
		id = str("secretId") + "|" + uuidOf(h)
	case "aws:secretsmanager/secretRotation:SecretRotation":
		set("rotationEnabled", true)
		id = str("secretId")
	case "aws:secretsmanager/secretPolicy:SecretPolicy":
		id = str("secretArn")
	case "aws:iam/role:Role":
		set("arn", env.globalARN("iam", "role"+pathOf(str("path"))+physical))
		set("uniqueId", "AROA"+strings.ToUpper(h[:17]))
	case "aws:iam/policy:Policy":
		id = env.globalARN("iam", "policy"+pathOf(str("path"))+physical)
		set("arn", id)
		set("policyId", "ANPA"+strings.ToUpper(h[:17]))
	case "aws:iam/rolePolicy:RolePolicy":
		id = str("role") + ":" + physical
	case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
		id = str("role") + "-" + h[:26]
	case "aws:lambda/function:Function":
		fn := env.arn("lambda", "function:"+physical)
		set("arn", fn)
		set("qualifiedArn", fn+":$LATEST")
		set("invokeArn", fmt.Sprintf("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", env.Partition(), env.Region, fn))
		set("version", "$LATEST")
	case "aws:lambda/permission:Permission":
		id = str("statementId")
	case "aws:serverlessrepository/cloudFormationStack:CloudFormationStack":
		// AWS's rotation applications output the function they deployed,
		// named by their functionName parameter.
		fn := physical
		if p, ok := state["parameters"]; ok {
			if params := plain(p); params.IsObject() {
				if s := stringOf(params.ObjectValue(), "functionName"); s != "" {
					fn = s
				}
			}
		}
		set("outputs", map[string]any{"RotationLambdaARN": env.arn("lambda", "function:"+fn)})
		id = env.arn("cloudformation", "stack/serverlessrepo-"+physical+"/"+uuidOf(h))
	case "aws:cloudwatch/logGroup:LogGroup":
		set("arn", env.arn("logs", "log-group:"+physical))
	case "aws:sfn/stateMachine:StateMachine":
		// A state machine's id is its ARN.
		id = env.arn("states", "stateMachine:"+physical)
		set("arn", id)
		set("status", "ACTIVE")
		set("revisionId", uuidOf(h))
		set("stateMachineVersionArn", "")
	case "aws:eks/podIdentityAssociation:PodIdentityAssociation":
		// EKS names an association a-<17 characters>; the provider's id is that.
		id = "a-" + h[:17]
		set("associationId", id)
		set("associationArn", env.arn("eks", "podidentityassociation/"+str("clusterName")+"/"+id))
	case "aws:cloudwatch/eventRule:EventRule":
		set("arn", env.arn("events", "rule/"+physical))
	case "aws:cloudwatch/eventTarget:EventTarget":
		id = str("rule") + "-" + str("targetId")
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		set("arn", env.arn("cloudwatch", "alarm:"+physical))
	case "aws:cfg/rule:Rule":
		set("ruleId", "config-rule-"+h[:6])
		set("arn", env.arn("config", "config-rule/config-rule-"+h[:6]))
	case "aws:sns/topic:Topic":
		id = env.arn("sns", physical)
		set("arn", id)
		set("owner", env.Account)
	case "aws:sns/topicSubscription:TopicSubscription":
		id = str("topic") + ":" + uuidOf(h)
		set("arn", id)
		set("ownerId", env.Account)
		// Email subscriptions wait for the recipient to confirm.
		set("pendingConfirmation", str("protocol") == "email")
	case "aws:sns/topicPolicy:TopicPolicy":
		id = str("arn")
		set("owner", env.Account)
	case "aws:sqs/queue:Queue":
		// A queue's id is its URL.
		id = fmt.Sprintf("https://sqs.%s.%s/%s/%s", env.Region, env.DNSSuffix(), env.Account, physical)
		set("url", id)
		set("arn", env.arn("sqs", physical))
	case "aws:sqs/queuePolicy:QueuePolicy":
		id = str("queueUrl")
	case "aws:rds/instance:Instance":
		ident := str("identifier")
		host := fmt.Sprintf("%s.c%s.%s.rds.%s", ident, h[:12], env.Region, env.DNSSuffix())
		set("address", host)
		set("endpoint", fmt.Sprintf("%s:%d", host, 5432))
		set("port", 5432)
		set("arn", env.arn("rds", "db:"+ident))
		// Since AWS provider 5.0 the id is the DbiResourceId.
		id = "db-" + strings.ToUpper(h[:26])
		set("resourceId", id)
		set("hostedZoneId", "Z29XKXDKYMONMX")
		if b, ok := state["manageMasterUserPassword"]; ok && plain(b).IsBool() && plain(b).BoolValue() {
			set("masterUserSecrets", []any{map[string]any{
				"secretArn":    env.arn("secretsmanager", "secret:rds!db-"+uuidOf(h)+"-"+secretSuffix(h[8:])),
				"kmsKeyId":     str("masterUserSecretKmsKeyId"),
				"secretStatus": "active",
			}})
		}
	case "aws:rds/subnetGroup:SubnetGroup":
		set("arn", env.arn("rds", "subgrp:"+physical))
	case "aws:rds/parameterGroup:ParameterGroup":
		set("arn", env.arn("rds", "pg:"+physical))
	case "aws:ec2/vpc:Vpc":
		id = "vpc-" + h[:17]
		set("arn", env.arn("ec2", "vpc/"+id))
		set("defaultSecurityGroupId", "sg-"+h[17:34])
		set("mainRouteTableId", "rtb-"+h[34:51])
		set("ownerId", env.Account)
	case "aws:ec2/subnet:Subnet":
		id = "subnet-" + h[:17]
		set("arn", env.arn("ec2", "subnet/"+id))
		set("ownerId", env.Account)
	case "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
		id = "sg-" + h[:17]
		set("arn", env.arn("ec2", "security-group/"+id))
		set("ownerId", env.Account)
	case "aws:ec2/securityGroupRule:SecurityGroupRule":
		id = "sgrule-" + h[:10]
		set("securityGroupRuleId", "sgr-"+h[10:27])
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		id = "vpce-" + h[:17]
		set("arn", env.arn("ec2", "vpc-endpoint/"+id))
		service := str("serviceName")
		if i := strings.LastIndex(service, "."); i >= 0 {
			service = service[i+1:]
		}
		set("dnsEntries", []any{map[string]any{
			"dnsName":      id + "." + service + "." + env.Region + ".vpce." + env.DNSSuffix(),
			"hostedZoneId": "Z2AEXAMPLE" + strings.ToUpper(h[:4]),
		}})
		set("networkInterfaceIds", []any{"eni-" + h[17:34]})
		set("ownerId", env.Account)
		set("state", "available")
	}
	markSensitive(typ, state)
	return id, state
}

// replicaStatus is a secret's replicas as the provider reports them after a
// replication that succeeded: each replica's region and key as given, and
// what DescribeSecret's ReplicationStatus adds (Terraform AWS provider,
// internal/service/secretsmanager/secret.go, the replica block's computed
// last_accessed_date, status and status_message; Secrets Manager API
// reference, ReplicationStatusType: Status InSync, the message "Replication
// succeeded"). A replica never read has no last-accessed date.
func replicaStatus(v resource.PropertyValue) resource.PropertyValue {
	secret := v.IsSecret()
	v = plain(v)
	if !v.IsArray() {
		return v
	}
	var out []resource.PropertyValue
	for _, e := range v.ArrayValue() {
		if e = plain(e); !e.IsObject() {
			out = append(out, e)
			continue
		}
		r := e.ObjectValue().Copy()
		r["status"] = resource.NewPropertyValue("InSync")
		r["statusMessage"] = resource.NewPropertyValue("Replication succeeded")
		r["lastAccessedDate"] = resource.NewPropertyValue("")
		out = append(out, resource.NewObjectProperty(r))
	}
	if secret {
		return resource.MakeSecret(resource.NewArrayProperty(out))
	}
	return resource.NewArrayProperty(out)
}

// pathOf returns an IAM path with its slashes ("/" when unset).
func pathOf(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// plain unwraps a secret value.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// stringOf returns the string property k of m ("" when absent or not a
// string), looking through secret wrappers.
func stringOf(m resource.PropertyMap, k string) string {
	if v, ok := m[resource.PropertyKey(k)]; ok {
		if v = plain(v); v.IsString() {
			return v.StringValue()
		}
	}
	return ""
}
