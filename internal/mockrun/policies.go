package mockrun

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/acme/secrets-platform/iam"
)

// IdentityPolicy is one identity policy document the program registers and
// the role it applies to. A managed policy attached to two roles appears
// twice; a managed policy attached to none appears once with Role "".
type IdentityPolicy struct {
	// Resource registered the document (a Role's inline policy, a RolePolicy
	// or a Policy).
	Resource Resource
	// Role is the name of the role the document applies to.
	Role string
	// Account is the account the document lives in: the deploying account,
	// or another account's when it is deployed through an assume-role provider.
	Account  string
	Document iam.Document
}

// ManagedAttachment is an AWS managed policy attached to a role: the program
// cannot see inside it, so the rules allow only a known list.
type ManagedAttachment struct {
	Resource  Resource
	Role      string
	PolicyArn string
}

// Account is the account the program deploys into, read from the ARN of
// the first KMS key (every stack has its keys); "" when there is none.
func (r *Recording) Account() string {
	for _, k := range r.OfType(TypeKMSKey) {
		if a := iam.AccountOf(k.StateStr("arn")); a != "" {
			return a
		}
	}
	return ""
}

// AccountOf returns the account a resource is deployed into: the account of
// its explicit AWS provider's assume-role ARN (or its single allowed account),
// else the deploying account.
func (r *Recording) AccountOf(res Resource) string {
	for _, p := range r.OfType(TypeAWSProvider) {
		if res.Provider == "" || !strings.HasPrefix(res.Provider, p.URN+"::") {
			continue
		}
		var assume struct {
			RoleArn string `json:"roleArn"`
		}
		if providerObject(p, "assumeRole", &assume) == nil && assume.RoleArn != "" {
			return iam.AccountOf(assume.RoleArn)
		}
		var allowed []string
		if providerObject(p, "allowedAccountIds", &allowed) == nil && len(allowed) == 1 {
			return allowed[0]
		}
	}
	return r.Account()
}

// providerObject reads a structured provider input: the SDK hands provider
// config to the engine as JSON strings, other resources' as objects.
func providerObject(p Resource, key string, v any) error {
	if s := p.Str(key); s != "" {
		return json.Unmarshal([]byte(s), v)
	}
	in, ok := p.Input(key)
	if !ok {
		return fmt.Errorf("provider %s: no %s", p.Name, key)
	}
	b, err := json.Marshal(in.Mappable())
	if err != nil {
		return fmt.Errorf("provider %s: %s: %w", p.Name, key, err)
	}
	return json.Unmarshal(b, v)
}

// IdentityPolicies returns every identity policy document in the recording:
// roles' inline policies, RolePolicy resources and customer managed Policy
// resources (once per role they are attached to).
func (r *Recording) IdentityPolicies() ([]IdentityPolicy, error) {
	var out []IdentityPolicy
	add := func(res Resource, role, policy string) error {
		doc, err := iam.Parse(policy)
		if err != nil {
			return fmt.Errorf("%s %s: %w", res.Type, res.Name, err)
		}
		out = append(out, IdentityPolicy{Resource: res, Role: role, Account: r.AccountOf(res), Document: doc})
		return nil
	}
	for _, role := range r.OfType(TypeRole) {
		v, ok := role.Input("inlinePolicies")
		if !ok || !v.IsArray() {
			continue
		}
		for _, e := range v.ArrayValue() {
			if e = Plain(e); !e.IsObject() {
				continue
			}
			if p := Plain(e.ObjectValue()["policy"]); p.IsString() && p.StringValue() != "" {
				if err := add(role, role.StateStr("name"), p.StringValue()); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, rp := range r.OfType(TypeRolePolicy) {
		if err := add(rp, rp.Str("role"), rp.Str("policy")); err != nil {
			return nil, err
		}
	}
	attachments := r.OfType(TypeRolePolicyAttachment)
	for _, p := range r.OfType(TypePolicy) {
		arn := p.StateStr("arn")
		attached := false
		for _, a := range attachments {
			if a.Str("policyArn") == arn && r.AccountOf(a) == r.AccountOf(p) {
				attached = true
				if err := add(p, a.Str("role"), p.Str("policy")); err != nil {
					return nil, err
				}
			}
		}
		if !attached {
			if err := add(p, "", p.Str("policy")); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// ManagedAttachments returns the attachments of policies the program did
// not write (AWS managed policies, or policies made elsewhere).
func (r *Recording) ManagedAttachments() []ManagedAttachment {
	var ours []string
	for _, p := range r.OfType(TypePolicy) {
		ours = append(ours, p.StateStr("arn"))
	}
	var out []ManagedAttachment
	for _, a := range r.OfType(TypeRolePolicyAttachment) {
		if arn := a.Str("policyArn"); !slices.Contains(ours, arn) {
			out = append(out, ManagedAttachment{Resource: a, Role: a.Str("role"), PolicyArn: arn})
		}
	}
	return out
}

// PoliciesOfRole returns the identity documents that apply to a role, by
// role name and the account it lives in.
func (r *Recording) PoliciesOfRole(account, role string) ([]iam.Document, error) {
	all, err := r.IdentityPolicies()
	if err != nil {
		return nil, err
	}
	var out []iam.Document
	for _, p := range all {
		if p.Role == role && p.Account == account {
			out = append(out, p.Document)
		}
	}
	return out, nil
}

// ResourcePolicy is a secret's resource policy.
type ResourcePolicy struct {
	Resource  Resource
	SecretArn string
	Document  iam.Document
}

// SecretPolicies returns every secret resource policy, whether written as a
// SecretPolicy resource or as a Secret's own policy input.
func (r *Recording) SecretPolicies() ([]ResourcePolicy, error) {
	var out []ResourcePolicy
	for _, sp := range r.OfType(TypeSecretPolicy) {
		doc, err := iam.Parse(sp.Str("policy"))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", sp.Type, sp.Name, err)
		}
		out = append(out, ResourcePolicy{Resource: sp, SecretArn: sp.Str("secretArn"), Document: doc})
	}
	for _, s := range r.OfType(TypeSecret) {
		if p := s.Str("policy"); p != "" {
			doc, err := iam.Parse(p)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", s.Type, s.Name, err)
			}
			out = append(out, ResourcePolicy{Resource: s, SecretArn: s.StateStr("arn"), Document: doc})
		}
	}
	return out, nil
}

// KeyPolicies returns each KMS key's policy by key ARN.
func (r *Recording) KeyPolicies() (map[string]iam.Document, error) {
	out := map[string]iam.Document{}
	for _, k := range r.OfType(TypeKMSKey) {
		doc, err := iam.Parse(k.Str("policy"))
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", k.Type, k.Name, err)
		}
		out[k.StateStr("arn")] = doc
	}
	return out, nil
}

// SecretKeyArn returns the KMS key a copy of a secret (by ARN) is
// encrypted with: a primary's kmsKeyId, or a replica's, whose ARN is its
// primary's in the replica's region.
func (r *Recording) SecretKeyArn(secretArn string) string {
	for _, s := range r.OfType(TypeSecret) {
		primary := s.StateStr("arn")
		if primary == secretArn {
			return s.Str("kmsKeyId")
		}
		for region, key := range s.Replicas() {
			if iam.ARNInRegion(primary, region) == secretArn {
				return key
			}
		}
	}
	return ""
}

// Replicas are a secret's replicas as registered: the kmsKeyId of each, by
// region.
func (res Resource) Replicas() map[string]string {
	out := map[string]string{}
	v, ok := res.Input("replicas")
	if !ok || !v.IsArray() {
		return out
	}
	for _, e := range v.ArrayValue() {
		if e = Plain(e); e.IsObject() {
			o := e.ObjectValue()
			region, key := Plain(o["region"]), Plain(o["kmsKeyId"])
			if region.IsString() {
				k := ""
				if key.IsString() {
					k = key.StringValue()
				}
				out[region.StringValue()] = k
			}
		}
	}
	return out
}
