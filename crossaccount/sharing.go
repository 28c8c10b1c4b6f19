package crossaccount

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
)

// SharedSecret is a catalog secret that may be shared.
type SharedSecret struct {
	// Arn is the secret's ARN. Required.
	Arn pulumi.StringInput
	// KmsKeyID is the key the secret is encrypted with; it must be the
	// stack's customer-managed key (SharingArgs.KeyArn). Required.
	KmsKeyID pulumi.StringInput
	// ReplicaRegions are the regions the secret has replicas in. Optional.
	ReplicaRegions []string
}

// SharingArgs configures every cross-account share of a stack.
type SharingArgs struct {
	// Principals are the validated external principals. Required (non-empty).
	Principals []config.ExternalPrincipal
	// Secrets holds, by full name, at least every secret a principal names. Required.
	Secrets map[string]SharedSecret
	// KeyArn is the customer-managed key shared secrets must be encrypted with
	// (another account can be granted Decrypt only on a key whose policy we
	// write). Required.
	KeyArn pulumi.StringInput
	// ReplicaKeyArns are, by region, the stack's keys of the replicas;
	// required for each replica region a principal reads in.
	ReplicaKeyArns map[string]pulumi.StringInput
	// Actions are what principals may do on shared secrets. Optional, default
	// iam.ReadActions(); anything else, PutResourcePolicy and DeleteResourcePolicy
	// above all, is refused.
	Actions []string
	// Account is this stack's account. Required.
	Account iam.Account
	// SessionName identifies this stack in the other account's CloudTrail when
	// it deploys the consumer side. Optional, default "secrets-platform".
	SessionName string
}

// Sharing is the secrets shared with other accounts.
type Sharing struct {
	pulumi.ResourceState

	// SharedSecretArns maps each principal's name to the ARNs shared with it.
	SharedSecretArns pulumi.StringArrayMapOutput `pulumi:"sharedSecretArns"`
	// PrincipalArns maps each principal's name to its role ARN.
	PrincipalArns pulumi.StringMapOutput `pulumi:"principalArns"`
	// ConsumerSideElsewhere lists the principals whose config names no deploy
	// role: the other account writes their identity policy, so the stack
	// cannot show the third grant and says so (the named exception to
	// SECURITY-RULES 10).
	ConsumerSideElsewhere pulumi.StringArrayOutput `pulumi:"consumerSideElsewhere"`
}

// NewSharing registers a resource policy per shared secret (all principals
// that share it, since a secret has one policy) and, for each principal whose
// config names a deploy role, the consumer-side policy in its account.
func NewSharing(ctx *pulumi.Context, name string, args *SharingArgs, opts ...pulumi.ResourceOption) (*Sharing, error) {
	if args == nil {
		return nil, errors.New("new sharing: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("new sharing %s: %w", name, err)
	}
	actions := args.actions()
	s := &Sharing{}
	if err := ctx.RegisterComponentResource("secrets-platform:crossaccount:Sharing", name, s, opts...); err != nil {
		return nil, fmt.Errorf("register sharing %s: %w", name, err)
	}

	grants := map[string][]Grant{}
	for _, p := range args.Principals {
		for _, sec := range p.Secrets {
			grants[sec] = append(grants[sec], Grant{Name: p.Name, PrincipalARN: PrincipalARN(args.Account.Partition, p), OrgID: p.OrgID,
				Regions: args.copyRegions(p, sec)})
		}
	}
	for _, secName := range slices.Sorted(maps.Keys(grants)) {
		if err := s.resourcePolicy(ctx, name, secName, args.Secrets[secName], grants[secName], actions, args.KeyArn); err != nil {
			return nil, err
		}
	}

	shared, principals, elsewhere := pulumi.StringArrayMap{}, pulumi.StringMap{}, []string{}
	for _, p := range args.Principals {
		reads := args.reads(p)
		var arns pulumi.StringArray
		for _, r := range slices.Sorted(maps.Keys(reads)) {
			arns = append(arns, reads[r]...)
		}
		shared[p.Name] = arns
		principals[p.Name] = pulumi.String(PrincipalARN(args.Account.Partition, p))
		if p.DeployRoleARN == "" {
			elsewhere = append(elsewhere, PrincipalARN(args.Account.Partition, p))
			continue
		}
		if err := s.consumerSide(ctx, name+"-"+p.Name, p, reads, args); err != nil {
			return nil, err
		}
	}
	s.SharedSecretArns = shared.ToStringArrayMapOutput()
	s.PrincipalArns = principals.ToStringMapOutput()
	s.ConsumerSideElsewhere = pulumi.ToStringArray(elsewhere).ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"sharedSecretArns": s.SharedSecretArns, "principalArns": s.PrincipalArns,
		"consumerSideElsewhere": s.ConsumerSideElsewhere,
	}); err != nil {
		return nil, fmt.Errorf("register sharing outputs %s: %w", name, err)
	}
	return s, nil
}

// actions are the shared actions, read actions unless set.
func (a *SharingArgs) actions() []string {
	if a.Actions == nil {
		return iam.ReadActions()
	}
	return a.Actions
}

// Validate reports args that NewSharing would refuse, so a caller can
// refuse a whole stack before registering anything.
func (a *SharingArgs) Validate() error {
	if len(a.Principals) == 0 || a.KeyArn == nil {
		return errors.New("Principals and KeyArn are required")
	}
	if err := a.Account.Validate(); err != nil {
		return err
	}
	if err := CheckActions(a.actions()); err != nil {
		return err
	}
	for _, p := range a.Principals {
		if p.AccountID == a.Account.ID {
			return fmt.Errorf("principal %s: account %s is this stack's own account; declare a workload instead", p.Name, p.AccountID)
		}
		if p.DeployRoleARN != "" && iam.AccountOf(p.DeployRoleARN) != p.AccountID {
			return fmt.Errorf("principal %s: deploy role %s is not in account %s", p.Name, p.DeployRoleARN, p.AccountID)
		}
		for _, sec := range p.Secrets {
			ss, ok := a.Secrets[sec]
			if !ok || ss.Arn == nil {
				return fmt.Errorf("principal %s: secret %s is not in the catalog", p.Name, sec)
			}
			if ss.KmsKeyID == nil {
				return fmt.Errorf("principal %s: secret %s has no customer-managed key (aws/secretsmanager cannot be shared across accounts)", p.Name, sec)
			}
			for _, r := range a.copyRegions(p, sec) {
				if r != a.Account.Region && a.ReplicaKeyArns[r] == nil {
					return fmt.Errorf("principal %s reads the replica of %s in %s, which has no key of the stack (ReplicaKeyArns)", p.Name, sec, r)
				}
			}
		}
	}
	return nil
}

// copyRegions are the regions of the copies of a shared secret a principal
// reads: in each region it reads in, the replica there, or the primary
// when the secret has none there (decision D14).
func (a *SharingArgs) copyRegions(p config.ExternalPrincipal, sec string) []string {
	var out []string
	for _, r := range readerRegions(p, a.Account.Region) {
		if r != a.Account.Region && !slices.Contains(a.Secrets[sec].ReplicaRegions, r) {
			r = a.Account.Region
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// reads are the ARNs of the copies a principal reads, by their region.
func (a *SharingArgs) reads(p config.ExternalPrincipal) map[string]pulumi.StringArray {
	out := map[string]pulumi.StringArray{}
	for _, sec := range p.Secrets {
		arn := a.Secrets[sec].Arn.ToStringOutput()
		for _, r := range a.copyRegions(p, sec) {
			if r == a.Account.Region {
				out[r] = append(out[r], arn)
				continue
			}
			out[r] = append(out[r], arn.ApplyT(func(x string) string { return iam.ARNInRegion(x, r) }).(pulumi.StringOutput))
		}
	}
	return out
}

// resourcePolicy writes a shared secret's resource policy. The key check runs
// when the ARNs are known: a secret on any key but the stack's CMK (the AWS
// managed aws/secretsmanager above all, which another account can never
// decrypt) fails the deployment with a message naming it.
func (s *Sharing) resourcePolicy(ctx *pulumi.Context, name, secName string, sec SharedSecret, grants []Grant, actions []string, keyArn pulumi.StringInput) error {
	policy := pulumi.All(sec.Arn, sec.KmsKeyID, keyArn).ApplyT(func(xs []any) (string, error) {
		arn, keyID, cmk := xs[0].(string), xs[1].(string), xs[2].(string)
		if keyID != cmk {
			return "", fmt.Errorf("share secret %s: it is encrypted with %q, not the stack's customer-managed key %s; refusing to share it", secName, keyID, cmk)
		}
		doc, err := ResourcePolicy(arn, actions, grants)
		if err != nil {
			return "", fmt.Errorf("share secret %s: %w", secName, err)
		}
		return doc.JSON()
	}).(pulumi.StringOutput)
	if _, err := secretsmanager.NewSecretPolicy(ctx, name+"-"+slug(secName), &secretsmanager.SecretPolicyArgs{
		SecretArn: sec.Arn,
		Policy:    policy,
		// Secrets Manager refuses, through Zelkova, any policy that would make
		// the secret public, whatever a later edit of this code writes.
		BlockPublicPolicy: pulumi.Bool(true),
	}, pulumi.Parent(s)); err != nil {
		return fmt.Errorf("create resource policy of %s: %w", secName, err)
	}
	return nil
}

// consumerSide deploys, into the principal's account through a provider that
// assumes its deploy role, the identity policy that lets the reading role use
// what the resource and key policies grant it. It is an inline policy on that
// one role, so the consumer account grants our deploy role
// iam:PutRolePolicy, GetRolePolicy and DeleteRolePolicy on that role only
// (ConsumerDeployPolicy), never the right to create or attach policies.
func (s *Sharing) consumerSide(ctx *pulumi.Context, name string, p config.ExternalPrincipal, reads map[string]pulumi.StringArray, args *SharingArgs) error {
	session := args.session()
	prov, err := aws.NewProvider(ctx, name+"-provider", &aws.ProviderArgs{
		Region: pulumi.String(args.Account.Region),
		AssumeRole: &aws.ProviderAssumeRoleArgs{
			RoleArn:     pulumi.String(p.DeployRoleARN),
			SessionName: pulumi.String(session),
		},
		// If the deploy role ever lands elsewhere, refuse rather than write
		// this policy into the wrong account.
		AllowedAccountIds: pulumi.ToStringArray([]string{p.AccountID}),
	}, pulumi.Parent(s))
	if err != nil {
		return fmt.Errorf("create provider for account %s: %w", p.AccountID, err)
	}
	primary := reads[args.Account.Region]
	if primary == nil {
		primary = pulumi.StringArray{}
	}
	inputs := []any{primary, args.KeyArn}
	var regions []string
	for _, r := range slices.Sorted(maps.Keys(reads)) {
		if r != args.Account.Region {
			regions = append(regions, r)
			inputs = append(inputs, args.ReplicaKeyArns[r], reads[r])
		}
	}
	doc := pulumi.All(inputs...).ApplyT(func(xs []any) (string, error) {
		ra := iam.ReaderArgs{
			SecretARNs: xs[0].([]string), KeyARN: xs[1].(string),
			// The reader is the other account's role; only the account differs.
			Account: iam.Account{ID: p.AccountID, Partition: args.Account.Partition, Region: args.Account.Region, DNSSuffix: args.Account.DNSSuffix},
		}
		for i, r := range regions {
			ra.Replicas = append(ra.Replicas, iam.ReplicaRead{Region: r, KeyARN: xs[2+2*i].(string), SecretARNs: xs[3+2*i].([]string)})
		}
		d, err := iam.ReaderPolicy(ra)
		if err != nil {
			return "", fmt.Errorf("consumer policy of %s: %w", p.Name, err)
		}
		return d.JSON()
	}).(pulumi.StringOutput)
	if _, err := awsiam.NewRolePolicy(ctx, name+"-consumer", &awsiam.RolePolicyArgs{
		Role:   pulumi.String(p.RoleName[strings.LastIndex(p.RoleName, "/")+1:]),
		Name:   pulumi.String(ConsumerPolicyName(args.Account.ID, session)),
		Policy: doc,
	}, pulumi.Parent(s), pulumi.Provider(prov)); err != nil {
		return fmt.Errorf("create consumer policy of %s: %w", p.Name, err)
	}
	return nil
}

// session is the role session name the consumer provider uses.
func (a *SharingArgs) session() string {
	if a.SessionName == "" {
		return "secrets-platform"
	}
	return a.SessionName
}

// ConsumerPolicyName is the name of the inline policy on a consumer's reading
// role: the sharing account and the session (which names the stack), so two
// stacks sharing with one role each keep their own policy.
func ConsumerPolicyName(sharingAccount, session string) string {
	return session + "-" + sharingAccount
}

// ConsumerDeployActions are what the provider calls to manage an inline role
// policy (create and update: PutRolePolicy; read: GetRolePolicy; delete:
// DeleteRolePolicy; internal/deploymatrix, aws:iam/rolePolicy:RolePolicy).
func ConsumerDeployActions() []string {
	return []string{"iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:PutRolePolicy"}
}

// ConsumerDeployPolicy is the whole policy of the role a consumer account
// lets our deploy role assume (crossAccount[].deployRoleArn): the inline
// policy actions on the one reading role, nothing else. The onboarding
// runbook gives it to the consumer's team as it is.
func ConsumerDeployPolicy(readingRoleARN string) iam.Document {
	return iam.New(iam.Statement{
		Sid: "ManageOneInlinePolicyOnTheReadingRoleOnly", Effect: iam.Allow,
		Action: iam.Strings(ConsumerDeployActions()), Resource: iam.Strings{readingRoleARN},
	})
}

// ConsumerDeployTrust is the trust policy of that role: only our deploy role,
// only with the session name our stack uses, and, when the principal names
// an organization, only from inside it.
func ConsumerDeployTrust(deployRoleARN, session, orgID string) iam.Document {
	cond := iam.Conditions{"StringEquals": {"sts:RoleSessionName": {session}}}
	if orgID != "" {
		cond["StringEquals"]["aws:PrincipalOrgID"] = iam.Strings{orgID}
	}
	return iam.New(iam.Statement{
		Sid: "OnlyTheSharingStacksDeployRole", Effect: iam.Allow,
		Principal: &iam.Principal{AWS: iam.Strings{deployRoleARN}},
		Action:    iam.Strings{"sts:AssumeRole"}, Condition: cond,
	})
}

// slug turns "/prod/integrations/twilio" into "prod-integrations-twilio".
func slug(secretName string) string {
	return strings.ReplaceAll(strings.Trim(secretName, "/"), "/", "-")
}
