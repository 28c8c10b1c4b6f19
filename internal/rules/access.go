package rules

import (
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
)

// KeyAdministratorsSid is the key-policy statement of the key
// administrators, the named exception to rule 8.
const KeyAdministratorsSid = "KeyAdministrators"

// OutputConsumerSideElsewhere is the stack output listing the external
// principals whose identity policy their own account deploys: the named
// exception to rule 10's third place.
const OutputConsumerSideElsewhere = "crossAccountConsumerSideElsewhere"

func accessRules() []Rule {
	return []Rule{
		{ID: 5, Title: "readers' Decrypt is via Secrets Manager (and from the caller's account) and Decrypt only", Check: checkReaderDecrypt},
		{ID: 6, Title: "no identity policy with a * action or a * resource for restrictable actions", Check: checkNoWildcards},
		{ID: 7, Title: "GetSecretValue only on explicit secret ARNs; only GetRandomPassword on *", Check: checkSecretValueScope},
		{ID: 8, Title: "no privilege escalation, permissions management or unguarded iam:PassRole", Check: checkNoEscalation},
		{ID: 9, Title: "secret resource policies block public policies, name principals and never grant policy management", Check: checkSecretPolicies},
		{ID: 10, Title: "cross-account grants exist in the resource policy, the key policy and the consumer's identity policy", Check: checkCrossAccount},
		{ID: 18, Title: "every role the program creates carries the stack's permissions boundary", Check: checkRolesBounded},
	}
}

// boundaryARN is the shape of the boundary the bootstrap creates for an
// environment: policy/secrets-platform-boundary/<env> in the role's account.
var boundaryARN = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::([0-9]{12}):policy/secrets-platform-boundary/([a-z][a-z0-9-]*)$`)

// checkRolesBounded: a role without the boundary is what the deploy role
// could turn into an administrator; one with another environment's boundary
// reaches that environment's secrets.
func checkRolesBounded(rec *mockrun.Recording) []Violation {
	var out []Violation
	for _, r := range rec.OfType(mockrun.TypeRole) {
		b := r.Str("permissionsBoundary")
		m := boundaryARN.FindStringSubmatch(b)
		switch {
		case m == nil:
			out = append(out, violation(18, r, "permissionsBoundary %q, want the stack's boundary policy/secrets-platform-boundary/<env>", b))
		case m[2] != rec.AccountOf(r):
			out = append(out, violation(18, r, "permissionsBoundary %s is in account %s, not the role's %s", b, m[2], rec.AccountOf(r)))
		case !strings.HasPrefix(r.Str("name"), m[3]+"-"):
			out = append(out, violation(18, r, "permissionsBoundary %s is environment %s's, but the role %s is not named for it", b, m[3], r.Str("name")))
		}
	}
	return out
}

func accessExceptions() []Exception {
	return []Exception{{
		Rule: 8, Name: KeyAdministratorsSid,
		Why: "key administrators must be able to change the key policy (kms:PutKeyPolicy); they get an explicit list of management actions and no use of the key",
	}, {
		Rule: 10, Name: OutputConsumerSideElsewhere,
		Why: "a principal whose config names no deployRoleArn gets its identity policy from its own account; the stack lists it in this output instead of deploying it, and the resource and key grants are still checked",
	}}
}

// unrestrictableActions support no resource-level permissions in AWS's
// service authorization reference, so "*" is the only resource they take.
var unrestrictableActions = []string{
	"secretsmanager:GetRandomPassword", "secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue",
	"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
	"ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
	"ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeSecurityGroups",
	"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
	"cloudwatch:PutMetricData", "ecr:GetAuthorizationToken", "sts:GetCallerIdentity",
}

// permissionsManagement are actions that change who may do what. An
// identity policy the program writes never grants them (CKV_AWS_286/289/290).
var permissionsManagement = []string{
	"iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy",
	"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreatePolicy", "iam:CreatePolicyVersion",
	"iam:CreateRole", "iam:CreateUser", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
	"iam:DetachRolePolicy", "iam:PutGroupPolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
	"iam:PutUserPolicy", "iam:SetDefaultPolicyVersion", "iam:UpdateAssumeRolePolicy", "iam:UpdateLoginProfile",
	"kms:PutKeyPolicy", "kms:CreateGrant", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
	"lambda:AddPermission", "lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
	"s3:PutBucketPolicy", "sns:AddPermission", "sqs:AddPermission", "sts:AssumeRole",
}

// allowedManagedPolicies are the AWS managed policies a role may carry, the
// ones the deploy role may attach: each grants service plumbing (images and
// logs, network interfaces) and no secret, key or IAM action.
var allowedManagedPolicies = []string{
	"policy/service-role/AmazonECSTaskExecutionRolePolicy",
	"policy/service-role/AWSLambdaVPCAccessExecutionRole",
}

var (
	viaSecretsManager = regexp.MustCompile(`^secretsmanager\.[a-z]{2}(-gov)?-[a-z]+-[0-9]\.amazonaws\.com(\.cn)?$`)
	// explicitSecretARN is a whole secret ARN: no wildcard, with the suffix
	// ("!" appears in the names of secrets AWS services own, e.g. rds!db-...).
	explicitSecretARN = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+-[A-Za-z0-9]{6}$`)
)

// matches reports whether a policy action (possibly with wildcards) covers
// a concrete action; IAM compares actions case-insensitively.
func matches(pattern, action string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return err == nil && ok
}

func coversAny(actions iam.Strings, concrete []string) []string {
	var out []string
	for _, c := range concrete {
		if slices.ContainsFunc(actions, func(a string) bool { return matches(a, c) }) {
			out = append(out, c)
		}
	}
	return out
}

// isReader reports whether a resource belongs to a workload or a share.
func isReader(res mockrun.Resource) bool {
	return strings.Contains(res.URN, mockrun.TypeWorkload+"$") || strings.Contains(res.URN, mockrun.TypeSharing+"$")
}

func identityPolicies(rec *mockrun.Recording, rule int) ([]mockrun.IdentityPolicy, []Violation) {
	ps, err := rec.IdentityPolicies()
	if err != nil {
		return nil, []Violation{{Rule: rule, Resource: "recording", Message: err.Error()}}
	}
	return ps, nil
}

func checkReaderDecrypt(rec *mockrun.Recording) []Violation {
	ps, out := identityPolicies(rec, 5)
	for _, p := range ps {
		if !isReader(p.Resource) {
			continue
		}
		for _, st := range p.Document.Statement {
			if st.Effect != iam.Allow || !slices.ContainsFunc(st.Action, func(a string) bool { return strings.HasPrefix(strings.ToLower(a), "kms:") }) {
				continue
			}
			region := ""
			if len(st.Resource) > 0 {
				region = iam.RegionOf(st.Resource[0])
			}
			out = append(out, decryptViolations(p.Resource, st, p.Account, region)...)
		}
	}
	keys, err := rec.KeyPolicies()
	if err != nil {
		return append(out, Violation{Rule: 5, Resource: "recording", Message: err.Error()})
	}
	acct := rec.Account()
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		for _, st := range keys[k.StateStr("arn")].Statement {
			for _, p := range externalPrincipals(st, acct) {
				out = append(out, decryptViolations(k, st, iam.AccountOf(p), iam.RegionOf(k.StateStr("arn")))...)
			}
		}
	}
	return out
}

// externalPrincipals are a key-policy statement's AWS principals in another
// account: readers of shared secrets.
func externalPrincipals(st iam.Statement, account string) []string {
	if st.Principal == nil || st.Effect != iam.Allow {
		return nil
	}
	var out []string
	for _, p := range st.Principal.AWS {
		if a := iam.AccountOf(p); a != "" && a != account {
			out = append(out, p)
		}
	}
	return out
}

// decryptViolations checks one reader grant of a key: Decrypt only, through
// Secrets Manager in the key's region, from the caller's own account.
func decryptViolations(res mockrun.Resource, st iam.Statement, callerAccount, region string) []Violation {
	var out []Violation
	if len(st.Action) != 1 || !strings.EqualFold(st.Action[0], "kms:Decrypt") {
		out = append(out, violation(5, res, "reader statement %q grants %v; readers get kms:Decrypt only", st.Sid, []string(st.Action)))
	}
	want := "secretsmanager." + region + ".amazonaws.com"
	via := st.Condition["StringEquals"]["kms:ViaService"]
	if len(via) == 0 || slices.ContainsFunc(via, func(v string) bool {
		return !viaSecretsManager.MatchString(v) || (region != "" && v != want && v != want+".cn")
	}) {
		out = append(out, violation(5, res, "reader statement %q: kms:ViaService = %v, want [%s]", st.Sid, []string(via), want))
	}
	if caller := st.Condition["StringEquals"]["kms:CallerAccount"]; len(caller) != 1 || caller[0] != callerAccount {
		out = append(out, violation(5, res, "reader statement %q: kms:CallerAccount = %v, want [%s]", st.Sid, []string(caller), callerAccount))
	}
	return out
}

func checkNoWildcards(rec *mockrun.Recording) []Violation {
	ps, out := identityPolicies(rec, 6)
	for _, p := range ps {
		for _, st := range p.Document.Statement {
			if st.Effect != iam.Allow {
				continue
			}
			if len(st.Action) == 0 {
				out = append(out, violation(6, p.Resource, "statement %q has no Action (NotAction cannot be checked and is not written by the program)", st.Sid))
			}
			if slices.Contains(st.Action, "*") {
				out = append(out, violation(6, p.Resource, "statement %q has the * action", st.Sid))
			}
			if len(st.Resource) == 0 {
				out = append(out, violation(6, p.Resource, "statement %q has no Resource (NotResource cannot be checked)", st.Sid))
			}
			if !slices.Contains(st.Resource, "*") {
				continue
			}
			for _, a := range st.Action {
				if !slices.ContainsFunc(unrestrictableActions, func(u string) bool { return strings.EqualFold(a, u) }) {
					out = append(out, violation(6, p.Resource, "statement %q allows %s on *; name the resources", st.Sid, a))
				}
			}
		}
	}
	return out
}

func checkSecretValueScope(rec *mockrun.Recording) []Violation {
	ps, out := identityPolicies(rec, 7)
	for _, p := range ps {
		for _, st := range p.Document.Statement {
			if st.Effect != iam.Allow {
				continue
			}
			if len(coversAny(st.Action, []string{"secretsmanager:GetSecretValue"})) > 0 {
				for _, r := range st.Resource {
					if !explicitSecretARN.MatchString(r) {
						out = append(out, violation(7, p.Resource, "statement %q allows GetSecretValue on %q, not an explicit secret ARN", st.Sid, r))
					}
				}
			}
			if !slices.Contains(st.Resource, "*") {
				continue
			}
			for _, a := range st.Action {
				if strings.HasPrefix(strings.ToLower(a), "secretsmanager:") && !strings.EqualFold(a, "secretsmanager:GetRandomPassword") {
					out = append(out, violation(7, p.Resource, "statement %q allows %s on *; only GetRandomPassword may have *", st.Sid, a))
				}
			}
		}
	}
	return out
}

func checkNoEscalation(rec *mockrun.Recording) []Violation {
	ps, out := identityPolicies(rec, 8)
	for _, p := range ps {
		for _, st := range p.Document.Statement {
			out = append(out, escalationViolations(p.Resource, st)...)
		}
	}
	for _, m := range rec.ManagedAttachments() {
		if !slices.ContainsFunc(allowedManagedPolicies, func(a string) bool { return strings.HasSuffix(m.PolicyArn, ":iam::aws:"+a) }) {
			out = append(out, violation(8, m.Resource, "role %s gets the managed policy %s, which is not on the known list (its content cannot be checked)", m.Role, m.PolicyArn))
		}
	}
	keys, err := rec.KeyPolicies()
	if err != nil {
		return append(out, Violation{Rule: 8, Resource: "recording", Message: err.Error()})
	}
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		for _, st := range keys[k.StateStr("arn")].Statement {
			if st.Sid == KeyAdministratorsSid {
				continue // the named exception (accessExceptions)
			}
			out = append(out, escalationViolations(k, st)...)
		}
	}
	return out
}

func escalationViolations(res mockrun.Resource, st iam.Statement) []Violation {
	if st.Effect != iam.Allow {
		return nil
	}
	var out []Violation
	reported := coversAny(st.Action, permissionsManagement)
	for _, a := range reported {
		// AWS services creating grants for their own resources is how RDS and
		// Secrets Manager use a key; it hands out no permission to a person.
		if a == "kms:CreateGrant" && slices.Contains(st.Condition["Bool"]["kms:GrantIsForAWSResource"], "true") {
			continue
		}
		out = append(out, violation(8, res, "statement %q grants %s (permissions management or privilege escalation)", st.Sid, a))
	}
	for _, a := range st.Action {
		l := strings.ToLower(a)
		if !strings.HasPrefix(l, "iam:") || strings.HasPrefix(l, "iam:get") || strings.HasPrefix(l, "iam:list") ||
			l == "iam:passrole" || slices.ContainsFunc(reported, func(r string) bool { return strings.EqualFold(r, a) }) {
			continue
		}
		out = append(out, violation(8, res, "statement %q grants %s; the program grants no IAM write action", st.Sid, a))
	}
	if len(coversAny(st.Action, []string{"iam:PassRole"})) > 0 {
		passed := st.Condition["StringEquals"]["iam:PassedToService"]
		if slices.Contains(st.Resource, "*") || len(passed) == 0 {
			out = append(out, violation(8, res, "statement %q grants iam:PassRole without named roles and an iam:PassedToService condition", st.Sid))
		}
	}
	return out
}

func checkSecretPolicies(rec *mockrun.Recording) []Violation {
	var out []Violation
	for _, s := range rec.OfType(mockrun.TypeSecret) {
		if s.Str("policy") != "" {
			out = append(out, violation(9, s, "the secret carries its resource policy inline, where blockPublicPolicy cannot be set; use a SecretPolicy"))
		}
	}
	pols, err := rec.SecretPolicies()
	if err != nil {
		return append(out, Violation{Rule: 9, Resource: "recording", Message: err.Error()})
	}
	for _, rp := range pols {
		if rp.Resource.Type != mockrun.TypeSecretPolicy {
			continue
		}
		if on, _ := rp.Resource.Bool("blockPublicPolicy"); !on {
			out = append(out, violation(9, rp.Resource, "blockPublicPolicy is not true"))
		}
		for _, st := range rp.Document.Statement {
			if st.Principal == nil || st.Principal.Any || slices.Contains(st.Principal.AWS, "*") {
				out = append(out, violation(9, rp.Resource, "statement %q has a * or missing principal", st.Sid))
			}
			if st.Effect != iam.Allow {
				continue
			}
			for _, a := range coversAny(st.Action, []string{"secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"}) {
				out = append(out, violation(9, rp.Resource, "statement %q grants %s", st.Sid, a))
			}
		}
	}
	return out
}

// checkCrossAccount follows every grant to another account's principal in a
// secret resource policy to the two other places it must exist, and every
// key-policy grant to another account back to a resource policy.
func checkCrossAccount(rec *mockrun.Recording) []Violation {
	acct := rec.Account()
	pols, err := rec.SecretPolicies()
	if err != nil {
		return []Violation{{Rule: 10, Resource: "recording", Message: err.Error()}}
	}
	keys, err := rec.KeyPolicies()
	if err != nil {
		return []Violation{{Rule: 10, Resource: "recording", Message: err.Error()}}
	}
	ids, out := identityPolicies(rec, 10)
	var elsewhere []string
	if o, ok := rec.Outputs[OutputConsumerSideElsewhere]; ok {
		if b, err := json.Marshal(o.Value); err == nil {
			_ = json.Unmarshal(b, &elsewhere) // anything but a list of ARNs excuses nobody
		}
	}
	granted := map[string]bool{} // principal ARN -> has a resource-policy grant
	for _, rp := range pols {
		for _, st := range rp.Document.Statement {
			for _, principal := range externalPrincipals(st, acct) {
				granted[principal] = true
				if !strings.Contains(principal, ":role/") {
					out = append(out, violation(10, rp.Resource, "statement %q grants %s; share with named roles, not whole accounts", st.Sid, principal))
					continue
				}
				for _, a := range st.Action {
					if !slices.Contains(iam.ReadActions(), a) {
						out = append(out, violation(10, rp.Resource, "statement %q lets %s %s; another account gets read actions only", st.Sid, principal, a))
					}
				}
				// Each copy the statement names (the primary, a replica in
				// its region: the policy is replicated with the secret) is
				// granted in all three places, with that copy's key.
				for _, c := range copiesOf(st, rp.SecretArn) {
					keyArn := rec.SecretKeyArn(c)
					if iam.ARNInRegion(c, iam.RegionOf(rp.SecretArn)) != rp.SecretArn || keyArn == "" {
						out = append(out, violation(10, rp.Resource, "statement %q names %s, which is not a copy of %s the stack registers", st.Sid, c, rp.SecretArn))
						continue
					}
					if !keyGrants(keys[keyArn], principal, c, st) {
						out = append(out, violation(10, rp.Resource, "%s may read %s but the key policy of %s does not let it decrypt that secret through Secrets Manager (with the same org condition)", principal, c, keyArn))
					}
					if !slices.Contains(elsewhere, principal) && !consumerGrants(ids, principal, c, keyArn) {
						out = append(out, violation(10, rp.Resource, "%s may read %s but no identity policy deployed into account %s lets it (GetSecretValue on the ARN and kms:Decrypt on %s)", principal, c, iam.AccountOf(principal), keyArn))
					}
				}
			}
		}
	}
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		for _, st := range keys[k.StateStr("arn")].Statement {
			for _, principal := range externalPrincipals(st, acct) {
				if !granted[principal] {
					out = append(out, violation(10, k, "statement %q lets %s decrypt, but no secret resource policy names it", st.Sid, principal))
				}
			}
		}
	}
	return out
}

// copiesOf are the copies of a secret a resource-policy statement names:
// its resources, or the secret itself where they say "*" (in a resource
// policy, the resource it is attached to).
func copiesOf(st iam.Statement, secretArn string) []string {
	if len(st.Resource) == 0 || slices.Contains(st.Resource, "*") {
		return []string{secretArn}
	}
	return st.Resource
}

// keyGrants reports whether a key policy lets principal decrypt the secret
// through Secrets Manager, with the resource statement's org condition.
func keyGrants(doc iam.Document, principal, secretArn string, resourceSt iam.Statement) bool {
	org := resourceSt.Condition["StringEquals"]["aws:PrincipalOrgID"]
	for _, st := range doc.Statement {
		if st.Effect != iam.Allow || st.Principal == nil || !slices.Contains(st.Principal.AWS, principal) {
			continue
		}
		if len(coversAny(st.Action, []string{"kms:Decrypt"})) == 0 || len(st.Condition["StringEquals"]["kms:ViaService"]) == 0 {
			continue
		}
		if !slices.Equal(st.Condition["StringEquals"]["aws:PrincipalOrgID"], org) {
			continue
		}
		patterns := st.Condition["StringLike"][iam.EncryptionContextSecretARN]
		if slices.ContainsFunc(patterns, func(p string) bool { ok, _ := path.Match(p, secretArn); return ok }) {
			return true
		}
	}
	return false
}

// consumerGrants reports whether an identity policy in the principal's
// account, attached to its role, allows reading the secret and decrypting.
func consumerGrants(ids []mockrun.IdentityPolicy, principal, secretArn, keyArn string) bool {
	acct, role := iam.AccountOf(principal), principal[strings.LastIndex(principal, "/")+1:]
	read, decrypt := false, false
	for _, p := range ids {
		if p.Account != acct || p.Role != role {
			continue
		}
		for _, st := range p.Document.Statement {
			if st.Effect != iam.Allow {
				continue
			}
			if len(coversAny(st.Action, []string{"secretsmanager:GetSecretValue"})) > 0 && slices.Contains(st.Resource, secretArn) {
				read = true
			}
			if len(coversAny(st.Action, []string{"kms:Decrypt"})) > 0 && slices.Contains(st.Resource, keyArn) {
				decrypt = true
			}
		}
	}
	return read && decrypt
}
