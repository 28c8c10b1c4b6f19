package deploymatrix

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
)

// Request is one call the provider makes for one recorded resource, with the
// resource ARN and the request context a policy evaluator needs.
type Request struct {
	// Type and Name identify the recorded resource.
	Type, Name string
	// Action is the IAM action.
	Action string
	// Phases are when the provider makes the call.
	Phases Phase
	// Resource is the ARN the call is authorised on, or "*".
	Resource string
	// Account is the account the call is made in: the deploying account, or
	// the consumer's for a resource with an assume-role provider.
	Account string
	// KeyARN is the KMS key whose key policy also decides, when Resource is one.
	KeyARN string
	// Context holds the request's condition keys and values.
	Context map[string]any
	// Note is the call's note in the matrix.
	Note string
}

// Expand turns one recorded resource into the requests of its row. acct is
// the deploying account; a resource with an assume-role provider is placed
// in that provider's account.
func Expand(rec *mockrun.Recording, acct iam.Account, res mockrun.Resource) ([]Request, error) {
	row, ok := Lookup(res.Type)
	if !ok {
		return nil, fmt.Errorf("%s %s: the deployability matrix has no row for this type", res.Type, res.Name)
	}
	x := expander{rec: rec, res: res, acct: acct}
	x.acct.ID = rec.AccountOf(res)
	if res.Region != "" {
		// A replica region's resource is named and authorised there.
		x.acct.Region = res.Region
	}
	var out []Request
	for _, c := range row.Calls {
		targets, err := x.targets(c)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %s: %w", res.Type, res.Name, c.Action, err)
		}
		for _, t := range targets {
			ctx, err := x.context(c, t)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %s: %w", res.Type, res.Name, c.Action, err)
			}
			out = append(out, Request{Type: res.Type, Name: res.Name, Action: c.Action, Phases: c.Phases,
				Resource: t.arn, Account: x.acct.ID, KeyARN: t.key, Context: ctx, Note: c.Note})
		}
	}
	return out, nil
}

type expander struct {
	rec  *mockrun.Recording
	res  mockrun.Resource
	acct iam.Account
}

// target is one resolved resource of a call.
type target struct {
	arn string
	// tags are the target's recorded tags; nil when the stack did not create it.
	tags map[string]string
	// role is the recorded role a call on a role is made on.
	role *mockrun.Resource
	// key is the target's ARN when it is a KMS key.
	key string
	// secret is the secret a key is used for (SecretContext).
	secret string
	// region is the key's region when it is not the resource's (a replica
	// key): its Secrets Manager is the one that uses it.
	region string
}

func (x expander) targets(c Call) ([]target, error) {
	a := x.acct
	switch c.On {
	case Any:
		return []target{{arn: "*"}}, nil
	case Self:
		t := target{arn: x.selfARN(), tags: x.res.Tags()}
		if x.res.Type == mockrun.TypeRole {
			r := x.res
			t.role = &r
		}
		if x.res.Type == mockrun.TypeKMSKey {
			t.key = t.arn
		}
		if t.arn == "" {
			return nil, fmt.Errorf("no ARN for %s", x.res.Type)
		}
		return []target{t}, nil
	case Role:
		v := x.res.Str(c.Field)
		if v == "" {
			return nil, nil // the input is not set on this resource (an event target without a role)
		}
		name := v[strings.LastIndex(v, "/")+1:]
		t := target{arn: a.GlobalARN("iam", "role/"+name)}
		if strings.HasPrefix(v, "arn:") {
			t.arn = v
		}
		if r, ok := x.find(mockrun.TypeRole, func(r mockrun.Resource) bool { return r.StateStr("name") == name }); ok {
			t.role, t.tags = &r, r.Tags()
		}
		return []target{t}, nil
	case Function:
		v := x.res.Str(c.Field)
		if !strings.HasPrefix(v, "arn:") {
			v = a.ARN("lambda", "function:"+v)
		}
		return []target{{arn: v}}, nil
	case Secret, Topic:
		return []target{{arn: x.res.Str(c.Field)}}, nil
	case Key:
		v := x.res.Str(c.Field)
		if v == "" {
			return nil, nil // the input is not set on this resource
		}
		if !strings.HasPrefix(v, "arn:") {
			v = a.ARN("kms", "key/"+v)
		}
		k, _ := x.find(mockrun.TypeKMSKey, func(r mockrun.Resource) bool { return r.StateStr("arn") == v })
		return []target{{arn: v, key: v, tags: k.Tags()}}, nil
	case KeyOfSecret:
		secret := x.res.Str(c.Field)
		key := x.rec.SecretKeyArn(secret)
		if key == "" {
			return nil, fmt.Errorf("secret %s has no recorded key", secret)
		}
		return []target{{arn: key, key: key, secret: secret}}, nil
	case ReplicaKeys, ReplicaKeysOfSecret, KeyOfReplicatedSelf:
		return x.replicaTargets(c)
	case EventRule:
		return []target{{arn: a.ARN("events", "rule/"+x.res.Str(c.Field))}}, nil
	case Queue:
		q, ok := x.find("aws:sqs/queue:Queue", func(r mockrun.Resource) bool { return r.Parent == x.res.Parent })
		if url := x.res.Str(c.Field); url != "" {
			q, ok = x.find("aws:sqs/queue:Queue", func(r mockrun.Resource) bool { return strings.HasSuffix(url, "/"+r.Str("name")) })
		}
		if !ok {
			return nil, fmt.Errorf("no recorded queue for %q", x.res.Str(c.Field))
		}
		return []target{{arn: a.ARN("sqs", q.Str("name")), tags: q.Tags()}}, nil
	case SecurityGroup, Subnet, VPC:
		kind := map[TargetKind]string{SecurityGroup: "security-group", Subnet: "subnet", VPC: "vpc"}[c.On]
		var out []target
		for _, id := range x.ids(c.Field) {
			r, _ := x.find("", func(r mockrun.Resource) bool { return r.Custom && r.StateStr("id") == id })
			out = append(out, target{arn: a.ARN("ec2", kind+"/"+id), tags: r.Tags()})
		}
		return out, nil
	case DBParameterGroup, DBSubnetGroup, DBSnapshot:
		name := x.res.Str(c.Field)
		if name == "" {
			return nil, nil
		}
		kind := map[TargetKind]string{DBParameterGroup: "pg", DBSubnetGroup: "subgrp", DBSnapshot: "snapshot"}[c.On]
		r, _ := x.find("", func(r mockrun.Resource) bool {
			return r.Custom && r.StateStr("name") == name && strings.HasPrefix(r.Type, "aws:rds/")
		})
		return []target{{arn: a.ARN("rds", kind+":"+name), tags: r.Tags()}}, nil
	case MasterSecret:
		v, ok := x.res.State["masterUserSecrets"]
		if !ok || !mockrun.Plain(v).IsArray() || len(mockrun.Plain(v).ArrayValue()) == 0 {
			return nil, nil
		}
		first := mockrun.Plain(mockrun.Plain(v).ArrayValue()[0])
		return []target{{arn: mockrun.Plain(first.ObjectValue()["secretArn"]).StringValue()}}, nil
	case AssumedRole:
		var assume struct {
			RoleArn string `json:"roleArn"`
		}
		if err := x.providerObject("assumeRole", &assume); err != nil || assume.RoleArn == "" {
			return nil, nil // the default provider assumes nothing
		}
		return []target{{arn: assume.RoleArn}}, nil
	case HostedZone:
		return []target{{arn: fmt.Sprintf("arn:%s:route53:::hostedzone/Z00000000AWSOWNED", a.Partition)}}, nil
	case ServiceLinkedRole:
		return []target{{arn: a.GlobalARN("iam", "role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS")}}, nil
	case EKSCluster:
		return []target{{arn: a.ARN("eks", "cluster/"+x.res.Str(c.Field))}}, nil
	case NetworkInterface:
		return []target{{arn: a.ARN("ec2", "network-interface/eni-0lambdaleftbehind")}}, nil
	}
	return nil, fmt.Errorf("unknown target kind %q", c.On)
}

// replicaTargets are the keys a replicated secret's calls use: each
// replica region's key for that replica (ReplicaKeys, ReplicaKeysOfSecret),
// or the secret's own key for itself (KeyOfReplicatedSelf); none when the
// secret has no replicas.
func (x expander) replicaTargets(c Call) ([]target, error) {
	secret := x.res
	if c.On == ReplicaKeysOfSecret {
		arn := x.res.Str(c.Field)
		s, ok := x.find(mockrun.TypeSecret, func(r mockrun.Resource) bool { return r.StateStr("arn") == arn })
		if !ok {
			return nil, nil // a secret the stack does not own has no replicas of ours
		}
		secret = s
	}
	replicas := secret.Replicas()
	if len(replicas) == 0 {
		return nil, nil
	}
	arn := secret.StateStr("arn")
	if c.On == KeyOfReplicatedSelf {
		key := secret.Str("kmsKeyId")
		return []target{{arn: key, key: key, secret: arn}}, nil
	}
	var out []target
	for _, r := range slices.Sorted(maps.Keys(replicas)) {
		key := replicas[r]
		if key == "" {
			return nil, fmt.Errorf("the replica of %s in %s has no key", arn, r)
		}
		out = append(out, target{arn: key, key: key, secret: iam.ARNInRegion(arn, r), region: r})
	}
	return out, nil
}

// selfARN is the resource's own ARN as AWS names it.
func (x expander) selfARN() string {
	a, r := x.acct, x.res
	switch r.Type {
	case mockrun.TypePolicy:
		path := r.Str("path")
		if path == "" {
			path = "/"
		}
		return a.GlobalARN("iam", "policy"+path+r.StateStr("name"))
	case "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
		return a.ARN("ec2", "security-group/"+r.StateStr("id"))
	case "aws:ec2/vpc:Vpc":
		return a.ARN("ec2", "vpc/"+r.StateStr("id"))
	case "aws:ec2/subnet:Subnet":
		return a.ARN("ec2", "subnet/"+r.StateStr("id"))
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		return a.ARN("ec2", "vpc-endpoint/"+r.StateStr("id"))
	case "aws:rds/parameterGroup:ParameterGroup":
		return a.ARN("rds", "pg:"+r.StateStr("name"))
	case "aws:rds/subnetGroup:SubnetGroup":
		return a.ARN("rds", "subgrp:"+r.StateStr("name"))
	case "aws:sqs/queue:Queue":
		return a.ARN("sqs", r.StateStr("name"))
	case "aws:eks/podIdentityAssociation:PodIdentityAssociation":
		return r.StateStr("associationArn")
	}
	if strings.HasPrefix(r.Type, "aws:s3/") {
		bucket := r.StateStr("bucket")
		if r.Type != "aws:s3/bucketV2:BucketV2" {
			bucket = r.Str("bucket")
		}
		return fmt.Sprintf("arn:%s:s3:::%s", a.Partition, bucket)
	}
	return r.StateStr("arn")
}

// ids reads an input holding one id or a list of them.
func (x expander) ids(field string) []string {
	if v := x.res.Str(field); v != "" {
		return []string{v}
	}
	return x.res.Strings(field)
}

// find returns the first recorded resource of a type (any type when "")
// that matches.
func (x expander) find(typ string, match func(mockrun.Resource) bool) (mockrun.Resource, bool) {
	i := slices.IndexFunc(x.rec.Resources, func(r mockrun.Resource) bool { return (typ == "" || r.Type == typ) && match(r) })
	if i < 0 {
		return mockrun.Resource{}, false
	}
	return x.rec.Resources[i], true
}

// providerObject reads a structured input of a provider resource, which the
// SDK hands to the engine as a JSON string.
func (x expander) providerObject(key string, v any) error {
	if s := x.res.Str(key); s != "" {
		return json.Unmarshal([]byte(s), v)
	}
	in, ok := x.res.Input(key)
	if !ok {
		return fmt.Errorf("no %s", key)
	}
	b, err := json.Marshal(in.Mappable())
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// context builds the request context of one call on one target.
func (x expander) context(c Call, t target) (map[string]any, error) {
	out := map[string]any{}
	for _, k := range c.Context {
		switch {
		case k == RequestTags:
			tags := x.res.Tags()
			for tk, tv := range tags {
				out["aws:RequestTag/"+tk] = tv
			}
			if len(tags) > 0 {
				out["aws:TagKeys"] = slices.Sorted(maps.Keys(tags))
			}
		case k == ResourceTags:
			for tk, tv := range t.tags {
				out["aws:ResourceTag/"+tk] = tv
			}
		case k == Boundary:
			if t.role != nil {
				if b := t.role.Str("permissionsBoundary"); b != "" {
					out["iam:PermissionsBoundary"] = b
				}
			}
		case k == PolicyARN:
			out["iam:PolicyARN"] = x.res.Str("policyArn")
		case k == PassedToLambda:
			out["iam:PassedToService"] = "lambda.amazonaws.com"
		case k == LockoutCheck:
			bypass, _ := x.res.Bool("bypassPolicyLockoutSafetyCheck")
			out["kms:BypassPolicyLockoutSafetyCheck"] = fmt.Sprint(bypass)
		case k == ViaSecretsManager || k == ViaRDS || k == ViaLambda:
			service := map[Context]string{ViaSecretsManager: "secretsmanager", ViaRDS: "rds", ViaLambda: "lambda"}[k]
			in := x.acct
			if t.region != "" {
				in = in.InRegion(t.region)
			}
			out["kms:ViaService"] = in.ServiceHost(service)
			out["kms:CallerAccount"] = x.acct.ID
			if c.Action == "kms:CreateGrant" {
				out["kms:GrantIsForAWSResource"] = "true"
			}
		case k == SecretContext:
			secret := t.secret
			if secret == "" && x.res.Type == mockrun.TypeRDSInstance {
				masters, err := x.targets(Call{On: MasterSecret})
				if err != nil || len(masters) == 0 {
					return nil, fmt.Errorf("no master secret for the encryption context")
				}
				secret = masters[0].arn
			}
			out[iam.EncryptionContextSecretARN] = secret
		case k == BlockPublicPolicy:
			block, _ := x.res.Bool("blockPublicPolicy")
			out["secretsmanager:BlockPublicPolicy"] = fmt.Sprint(block)
		case k == LambdaPrincipal:
			out["lambda:Principal"] = x.res.Str("principal")
		case k == EventTarget:
			out["events:TargetArn"] = []string{x.res.Str("arn")} // a list: every target of the call
		case k == SessionName:
			var assume struct {
				SessionName string `json:"sessionName"`
			}
			if err := x.providerObject("assumeRole", &assume); err == nil && assume.SessionName != "" {
				out["sts:RoleSessionName"] = assume.SessionName
			}
		case k == RDSService:
			out["iam:AWSServiceName"] = "rds.amazonaws.com"
		case strings.HasPrefix(string(k), "passed-to:"):
			out["iam:PassedToService"] = strings.TrimPrefix(string(k), "passed-to:")
		case strings.HasPrefix(string(k), "create-action:"):
			out["ec2:CreateAction"] = strings.TrimPrefix(string(k), "create-action:")
		default:
			return nil, fmt.Errorf("unknown context %q", k)
		}
	}
	return out, nil
}
