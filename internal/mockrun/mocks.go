package mockrun

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// mocks answers registrations and invokes the way AWS would, with realistic
// ids and ARNs (secret ARNs carry the six-character suffix real ones have),
// and records every registration.
type mocks struct {
	project, stack  string
	account, region string

	mu        sync.Mutex
	resources []Resource
}

func newMocks(st Stack) *mocks {
	m := &mocks{project: st.Project, stack: st.Name, account: "123456789012", region: st.Config["aws:region"]}
	var allowed []string
	if err := json.Unmarshal([]byte(st.Config["aws:allowedAccountIds"]), &allowed); err == nil && len(allowed) > 0 {
		m.account = allowed[0]
	}
	if m.region == "" {
		m.region = "us-east-1"
	}
	return m
}

// NewResource records a registration and returns its id and state.
func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	state := args.Inputs.Copy()
	id := m.fill(args.TypeToken, args.Name, state)
	res := Resource{
		Type: args.TypeToken, Name: args.Name, Custom: args.Custom,
		Inputs: args.Inputs, State: state, Provider: args.Provider,
	}
	if rpc := args.RegisterRPC; rpc != nil {
		res.Parent = rpc.GetParent()
		res.Protect = rpc.GetProtect()
		res.RetainOnDelete = rpc.GetRetainOnDelete()
		res.IgnoreChanges = rpc.GetIgnoreChanges()
		res.AdditionalSecretOutputs = rpc.GetAdditionalSecretOutputs()
		res.DependsOn = rpc.GetDependencies()
		res.URN = m.urnOf(rpc.GetParent(), args.TypeToken, args.Name)
	}
	m.mu.Lock()
	m.resources = append(m.resources, res)
	m.mu.Unlock()
	return id, state, nil
}

// Call answers the invokes the program makes.
func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": m.account, "id": m.account, "userId": "AROAEXAMPLEDEPLOYER:pulumi",
			"arn": fmt.Sprintf("arn:aws:sts::%s:assumed-role/secrets-platform-deploy/pulumi", m.account),
		}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws",
		}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{"id": m.region, "name": m.region, "region": m.region}), nil
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		names := []any{m.region + "a", m.region + "b", m.region + "c"}
		return resource.NewPropertyMapFromMap(map[string]any{"id": m.region, "names": names, "zoneIds": names}), nil
	}
	return resource.PropertyMap{}, nil
}

// fill adds what the provider computes to state and returns the physical id.
func (m *mocks) fill(typ, name string, state resource.PropertyMap) string {
	h := digest(typ + "/" + name)
	set := func(k string, v any) { state[resource.PropertyKey(k)] = resource.NewPropertyValue(v) }
	str := func(k string) string {
		if v, ok := state[resource.PropertyKey(k)]; ok {
			if v = Plain(v); v.IsString() {
				return v.StringValue()
			}
		}
		return ""
	}
	// Auto-naming: the provider names what the program does not.
	physical := str("name")
	if physical == "" {
		physical = name + "-" + h[:7]
		if !strings.HasPrefix(typ, "random:") && !strings.HasPrefix(typ, "pulumi:") {
			set("name", physical)
		}
	}
	arn := func(service, rest string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, m.region, m.account, rest)
	}
	id := physical
	switch typ {
	case "aws:kms/key:Key":
		id = uuidOf(h)
		set("keyId", id)
		set("arn", arn("kms", "key/"+id))
	case "aws:kms/alias:Alias":
		set("arn", arn("kms", physical))
	case "aws:secretsmanager/secret:Secret":
		id = arn("secretsmanager", "secret:"+physical+"-"+suffix(h))
		set("arn", id)
	case "aws:secretsmanager/secretVersion:SecretVersion":
		set("versionId", uuidOf(h))
		set("arn", str("secretId"))
		id = str("secretId") + "|" + uuidOf(h)
	case "aws:iam/role:Role":
		set("arn", fmt.Sprintf("arn:aws:iam::%s:role/%s", m.account, physical))
		set("uniqueId", "AROA"+strings.ToUpper(h[:17]))
	case "aws:iam/policy:Policy":
		set("arn", fmt.Sprintf("arn:aws:iam::%s:policy/%s", m.account, physical))
	case "aws:lambda/function:Function":
		fn := arn("lambda", "function:"+physical)
		set("arn", fn)
		set("qualifiedArn", fn+":1")
		set("invokeArn", fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", m.region, fn))
		set("version", "1")
	case "aws:cloudwatch/logGroup:LogGroup":
		set("arn", arn("logs", "log-group:"+physical))
	case "aws:sns/topic:Topic":
		set("arn", arn("sns", physical))
		id = arn("sns", physical)
	case "aws:cloudwatch/eventRule:EventRule":
		set("arn", arn("events", "rule/"+physical))
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		set("arn", arn("cloudwatch", "alarm:"+physical))
	case "aws:cfg/rule:Rule":
		set("ruleId", "config-rule-"+h[:6])
		set("arn", arn("config", "config-rule/config-rule-"+h[:6]))
	case "aws:s3/bucketV2:BucketV2":
		// Buckets are named by "bucket" and their ARNs carry no region or account.
		bucket := str("bucket")
		if bucket == "" {
			bucket = name + "-" + h[:7]
		}
		delete(state, "name")
		set("bucket", bucket)
		set("arn", "arn:aws:s3:::"+bucket)
		id = bucket
	case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
		id = fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", m.account, strings.TrimPrefix(str("url"), "https://"))
		set("arn", id)
	case "aws:rds/instance:Instance":
		host := fmt.Sprintf("%s.c%s.%s.rds.amazonaws.com", str("identifier"), h[:12], m.region)
		set("address", host)
		set("endpoint", host+":5432")
		set("port", 5432)
		set("arn", arn("rds", "db:"+str("identifier")))
		set("resourceId", "db-"+strings.ToUpper(h[:26]))
		set("masterUserSecrets", []any{map[string]any{
			"secretArn":    arn("secretsmanager", "secret:rds!db-"+uuidOf(h)+"-"+suffix(h[8:])),
			"kmsKeyId":     str("masterUserSecretKmsKeyId"),
			"secretStatus": "active",
		}})
	case "aws:ec2/vpc:Vpc":
		id = "vpc-" + h[:17]
	case "aws:ec2/subnet:Subnet":
		id = "subnet-" + h[:17]
	case "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
		id = "sg-" + h[:17]
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		id = "vpce-" + h[:17]
		set("dnsEntries", []any{map[string]any{"dnsName": id + ".secretsmanager." + m.region + ".vpce.amazonaws.com"}})
	case "random:index/randomInteger:RandomInteger":
		// The program uses it as a stored, stable slot: min and max are equal.
		state["result"] = resource.NewPropertyValue(state["min"].V)
	case "random:index/randomId:RandomId":
		state["hex"] = resource.NewPropertyValue(h[:2*intOr(state["byteLength"], 4)])
	default:
		if _, ok := state["arn"]; !ok {
			service, kind := serviceOf(typ)
			set("arn", arn(service, kind+"/"+physical))
		}
	}
	if _, ok := state["arn"]; !ok && strings.HasPrefix(typ, "aws:") {
		service, kind := serviceOf(typ)
		set("arn", arn(service, kind+"/"+id))
	}
	set("id", id)
	return id
}

// serviceOf maps "aws:cloudwatch/eventRule:EventRule" to ("cloudwatch", "eventRule").
func serviceOf(typ string) (string, string) {
	mod, _, _ := strings.Cut(strings.TrimPrefix(typ, "aws:"), ":")
	service, kind, _ := strings.Cut(mod, "/")
	return service, kind
}

// urnOf computes the URN the mock monitor gives a resource, so a child's
// Parent can be matched to its parent's URN.
func (m *mocks) urnOf(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType, tokens.Type(typ), name))
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:]) + hex.EncodeToString(sum[:])
}

func uuidOf(h string) string {
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// suffix is the six random characters Secrets Manager appends to an ARN.
func suffix(h string) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 6)
	for i := range out {
		out[i] = chars[int(h[i*2])*7%len(chars)]
	}
	return string(out)
}

// intOr reads a number input, or def when it is unset.
func intOr(v resource.PropertyValue, def int) int {
	if n, ok := v.V.(float64); ok {
		return int(n)
	}
	return def
}
