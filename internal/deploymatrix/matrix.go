package deploymatrix

import (
	"fmt"
	"slices"
	"strings"
)

// Phase is when the provider makes a call. A resource's read also runs after
// its create and update, so Read calls are needed by every deploy.
type Phase uint8

// The phases of a resource's life in the provider.
const (
	Create Phase = 1 << iota
	Read
	Update
	Delete
)

// CRUD is every phase.
const CRUD = Create | Read | Update | Delete

// Has reports whether p includes q.
func (p Phase) Has(q Phase) bool { return p&q != 0 }

// String lists the phases, e.g. "create+update".
func (p Phase) String() string {
	var out []string
	for _, x := range []struct {
		ph   Phase
		name string
	}{{Create, "create"}, {Read, "read"}, {Update, "update"}, {Delete, "delete"}} {
		if p.Has(x.ph) {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, "+")
}

// Deployer says who makes a type's calls.
type Deployer string

const (
	// Program types are deployed by `pulumi up` of the main program: the
	// deploy role in this account, or, for a resource with an explicit
	// provider, the consumer deploy role that provider assumes.
	Program Deployer = "program"
	// Bootstrap types are registered only by bootstrap/, run once by an
	// administrator.
	Bootstrap Deployer = "bootstrap"
	// NoAPI types make no AWS call (pulumi-random; the program's components).
	NoAPI Deployer = "none"
)

// TargetKind names how a call's resource is found from a recorded resource.
type TargetKind string

// Targets: Self is the resource itself; Any is a call without resource-level
// permissions ("*"); the others follow an input (Call.Field) to another
// resource: a role by name or ARN, a key by ARN or id, and so on.
const (
	Self              TargetKind = "self"
	Any               TargetKind = "*"
	Role              TargetKind = "role"
	ManagedPolicy     TargetKind = "policy"
	Function          TargetKind = "function"
	Secret            TargetKind = "secret"
	Key               TargetKind = "key"
	KeyOfSecret       TargetKind = "key-of-secret"
	Topic             TargetKind = "topic"
	EventRule         TargetKind = "event-rule"
	Queue             TargetKind = "queue"
	SecurityGroup     TargetKind = "security-group"
	VPC               TargetKind = "vpc"
	Subnet            TargetKind = "subnet"
	DBParameterGroup  TargetKind = "db-parameter-group"
	DBSubnetGroup     TargetKind = "db-subnet-group"
	DBSnapshot        TargetKind = "db-snapshot"
	MasterSecret      TargetKind = "master-secret"
	AssumedRole       TargetKind = "assumed-role"
	HostedZone        TargetKind = "hosted-zone"
	ServiceLinkedRole TargetKind = "service-linked-role"
	NetworkInterface  TargetKind = "network-interface"
	// EKSCluster is a cluster by name (a Pod Identity association's).
	EKSCluster TargetKind = "eks-cluster"
	// ReplicaKeys are the keys of a secret's replicas, each in its replica
	// region, for the replica's ARN: the secret's own (Field names its
	// replicas input) or, for a version, its secret's (Field names the
	// secret by ARN). None when the secret is not replicated.
	ReplicaKeys         TargetKind = "replica-keys"
	ReplicaKeysOfSecret TargetKind = "replica-keys-of-secret"
	KeyOfReplicatedSelf TargetKind = "key-of-replicated-self"
)

// Context names what a request carries that a condition can test.
type Context string

const (
	// RequestTags: aws:RequestTag/<k> and aws:TagKeys from the resource's tags.
	RequestTags Context = "request-tags"
	// ResourceTags: aws:ResourceTag/<k> of the target as recorded (none for
	// a resource the stack did not create).
	ResourceTags Context = "resource-tags"
	// Boundary: iam:PermissionsBoundary of the target role as recorded.
	Boundary Context = "boundary"
	// PolicyARN: iam:PolicyARN from the policyArn input.
	PolicyARN Context = "policy-arn"
	// PassedToLambda: iam:PassedToService = lambda.amazonaws.com.
	PassedToLambda Context = "passed-to-lambda"
	// LockoutCheck: kms:BypassPolicyLockoutSafetyCheck from the input (false
	// unless set).
	LockoutCheck Context = "lockout-check"
	// ViaSecretsManager, ViaRDS, ViaLambda: kms:ViaService of the service
	// that uses the key for the caller, and kms:CallerAccount; with
	// kms:CreateGrant, also kms:GrantIsForAWSResource.
	ViaSecretsManager Context = "via-secretsmanager"
	ViaRDS            Context = "via-rds"
	ViaLambda         Context = "via-lambda"
	// SecretContext: kms:EncryptionContext:SecretARN of the secret the call
	// is for (a replica's ARN for a replica key). With ViaSecretsManager on
	// a replica key, kms:ViaService is Secrets Manager of the key's region.
	SecretContext Context = "secret-context"
	// BlockPublicPolicy: secretsmanager:BlockPublicPolicy from the input.
	BlockPublicPolicy Context = "block-public-policy"
	// LambdaPrincipal: lambda:Principal from the principal input.
	LambdaPrincipal Context = "lambda-principal"
	// EventTarget: events:TargetArn from the arn input.
	EventTarget Context = "event-target"
	// SessionName: sts:RoleSessionName from the provider's assumeRole input.
	SessionName Context = "session-name"
	// RDSService: iam:AWSServiceName = rds.amazonaws.com.
	RDSService Context = "rds-service"
)

// PassedTo returns the iam:PassedToService context of passing a role to a
// service other than Lambda (PassedToLambda), e.g. states.amazonaws.com.
func PassedTo(service string) Context { return Context("passed-to:" + service) }

// CreateAction returns the ec2:CreateAction context of tags applied by a
// create call (EC2 authorises such tags with ec2:CreateTags).
func CreateAction(action string) Context { return Context("create-action:" + action) }

// Call is one API call the provider makes for a type.
type Call struct {
	// Action is the IAM action, e.g. kms:CreateKey.
	Action string
	// Phases are when the provider makes it.
	Phases Phase
	// On is the resource it is authorised on, Field the input naming it.
	On    TargetKind
	Field string
	// Context is what its request carries.
	Context []Context
	// Note says when the call happens if not always, or where its
	// requirement is documented when that is not the provider's code.
	Note string
}

// Row is one resource type.
type Row struct {
	// Type is the Pulumi type token.
	Type string
	// Terraform is the provider resource pulumi-aws maps it to.
	Terraform string
	// Deployer makes the calls.
	Deployer Deployer
	// Source is where the calls are read from.
	Source string
	// Calls are the provider's calls, in its order.
	Calls []Call
}

// Lookup returns the row of a type.
func Lookup(typ string) (Row, bool) {
	rows := Rows()
	i := slices.IndexFunc(rows, func(r Row) bool { return r.Type == typ })
	if i < 0 {
		return Row{}, false
	}
	return rows[i], true
}

// Rows is the whole matrix, ordered by type.
func Rows() []Row {
	rows := slices.Concat(keyRows(), secretRows(), iamRows(), lambdaRows(), alertRows(), networkRows(), databaseRows(), plumbingRows(), workloadRows(), bootstrapRows())
	slices.SortFunc(rows, func(a, b Row) int { return strings.Compare(a.Type, b.Type) })
	return rows
}

// Validate reports rows that are malformed: a duplicate type, no source, a
// call without a target or phase, an action not in service:Name form.
func Validate(rows []Row) error {
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.Type] {
			return fmt.Errorf("row %s: duplicate", r.Type)
		}
		seen[r.Type] = true
		if r.Source == "" {
			return fmt.Errorf("row %s: no source", r.Type)
		}
		if r.Deployer != NoAPI && len(r.Calls) == 0 {
			return fmt.Errorf("row %s: no calls", r.Type)
		}
		for _, c := range r.Calls {
			service, name, ok := strings.Cut(c.Action, ":")
			if !ok || service == "" || name == "" || strings.ContainsAny(c.Action, "*? ") {
				return fmt.Errorf("row %s: action %q is not service:Name", r.Type, c.Action)
			}
			if c.Phases == 0 || c.On == "" {
				return fmt.Errorf("row %s: call %s has no phase or target", r.Type, c.Action)
			}
			if c.On != Self && c.On != Any && c.Field == "" && !slices.Contains([]TargetKind{MasterSecret, HostedZone, ServiceLinkedRole, NetworkInterface, AssumedRole}, c.On) {
				return fmt.Errorf("row %s: call %s on %s names no input", r.Type, c.Action, c.On)
			}
		}
	}
	return nil
}
