package rules

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/rotator/contract"
)

// Resource types the rotation rules look at. The names carry a rotation
// prefix because other layers' files in this package declare their own.
const (
	rotTypeRotation   = "aws:secretsmanager/secretRotation:SecretRotation"
	rotTypeFunction   = "aws:lambda/function:Function"
	rotTypePermission = "aws:lambda/permission:Permission"
	rotTypeLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
	rotTypeRole       = "aws:iam/role:Role"
	rotTypeRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	rotTypeAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
)

// Named exceptions of the rotation layer.
const (
	// ExceptionManualRotation: a secret whose provider has no key API has no
	// rotation resource; it says so (Rotation=manual, a reason with a runbook
	// in the manualRotation output) and the age alarm watches it.
	ExceptionManualRotation = "manual-rotation-provider-has-no-key-api"
	// ExceptionAwaitingPrerequisite: a key rotator whose admin credential an
	// operator has not put yet gets no rotation until the runbook's flag says
	// it is there (listed in the rotationsAwaitingPrerequisite output).
	ExceptionAwaitingPrerequisite = "rotation-awaits-operator-value"
	// ExceptionAwaitingOwnerChanges: the database secret of an existing
	// instance or endpoint gets no rotation while the changes their owners
	// must make to admit the rotator are listed (changesForResourceOwners)
	// and config does not say they are made (database.ownerChangesApplied).
	ExceptionAwaitingOwnerChanges = "rotation-awaits-owner-changes"
	// ExceptionMasterSecretRead: a postgres rotator also reads the database
	// master secret (GetSecretValue only), to set the login role's password.
	ExceptionMasterSecretRead = "postgres-rotator-reads-master-secret"
	// ExceptionAdminSecretRead: an http or twilio rotator also reads the
	// provider credential that may mint keys (GetSecretValue only).
	ExceptionAdminSecretRead = "key-rotator-reads-admin-secret"
)

// Secrets Manager's limits and ours (SECURITY-RULES 2).
const (
	rotMaxDays      = 90
	rotMinHours     = 4
	rotManualTag    = "manual"
	rotAutoTag      = "automatic"
	rotManualOut    = "manualRotation"
	rotAwaitingOut  = "rotationsAwaitingPrerequisite"
	rotOwnersOut    = "changesForResourceOwners"
	rotMasterOut    = "databaseMasterSecretArn"
	rotFunctionsOut = "rotationFunctions"
	rotStrategyEnv  = contract.EnvStrategy
)

var (
	rotRate = regexp.MustCompile(`^rate\(([0-9]+) (hour|hours|day|days)\)$`)
	rotCron = regexp.MustCompile(`^cron\(([0-9]{1,2}) ([0-9]{1,2}) [^ ]+ \* [^ ]+ [^ ]+\)$`)
)

// rotOwnActions is what a rotator may do on its own secret: the rotation
// protocol, which is all the grace sweeper needs too (decision D4).
func rotOwnActions() []string {
	return []string{
		"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
		"secretsmanager:UpdateSecretVersionStage",
	}
}

// rotAdminSecretEnvs name the provider credential in a key rotator's environment.
func rotAdminSecretEnvs() []string { return []string{contract.EnvAdminSecretARN} }

func rotationRules() []Rule {
	return []Rule{
		{ID: 2, Title: "automatic secrets rotate at most every 90 days and at least 4 hours apart; manual secrets say why", Check: checkRotationSchedules},
		{ID: 11, Title: "rotation invoke permissions name secretsmanager.amazonaws.com, the secret and the account", Check: checkInvokePermissions},
		{ID: 12, Title: "rotation roles reach their own secret only, and the key only through it", Check: checkRotatorRoles},
		{ID: 13, Title: "our rotation functions: reserved concurrency, X-Ray, CMK environment, retained encrypted logs, VPC for databases", Check: checkRotatorFunctions},
	}
}

// rotationExceptions are the named exceptions of the rotation layer, and of
// the database rules (rules_database.go has none of its own).
func rotationExceptions() []Exception {
	return []Exception{
		{Rule: 2, Name: ExceptionManualRotation, Why: "the provider has no key API (Stripe, OpenAI, the Twilio account credential): an operator rolls the value by the runbook and an alarm fires when it is older than maxSecretAgeDays"},
		{Rule: 2, Name: ExceptionAwaitingPrerequisite, Why: "a third-party key can only be minted with the admin credential an operator puts after the first pulumi up; until the runbook records the put, the rotation would only fail and alert"},
		{Rule: 2, Name: ExceptionAwaitingOwnerChanges, Why: "the rotator of an existing database or endpoint is admitted by a rule on a security group the stack does not own; until its owner adds it and config says so, the rotation would only fail and alert"},
		{Rule: 12, Name: ExceptionMasterSecretRead, Why: "the postgres strategies set the login role's password as the RDS master user, whose password RDS keeps in its own secret"},
		{Rule: 12, Name: ExceptionAdminSecretRead, Why: "minting and revoking a third-party key needs the provider's admin credential, kept in its own secret that only the rotator reads"},
	}
}

// rotSecret is a catalog secret as the rules see it.
type rotSecret struct {
	res        mockrun.Resource
	arn, name  string
	kmsKeyID   string
	rotationTy string
}

func rotSecrets(rec *mockrun.Recording) map[string]rotSecret {
	out := map[string]rotSecret{}
	for _, s := range rec.OfType(mockrun.TypeSecret) {
		arn := s.StateStr("arn")
		out[arn] = rotSecret{res: s, arn: arn, name: s.Str("name"), kmsKeyID: s.Str("kmsKeyId"), rotationTy: s.Tags()["Rotation"]}
	}
	return out
}

func checkRotationSchedules(rec *mockrun.Recording) []Violation {
	var out []Violation
	bySecret := map[string][]mockrun.Resource{}
	for _, r := range rec.OfType(rotTypeRotation) {
		bySecret[r.Str("secretId")] = append(bySecret[r.Str("secretId")], r)
	}
	// The output resolves to a map of strings; JSON reads any map shape.
	manual := map[string]string{}
	if o, ok := rec.Outputs[rotManualOut]; ok {
		if b, err := json.Marshal(o.Value); err == nil {
			_ = json.Unmarshal(b, &manual)
		}
	}
	var awaiting map[string]struct {
		WaitsFor string `json:"waitsFor"`
	}
	if o, ok := rec.Outputs[rotAwaitingOut]; ok {
		if b, err := json.Marshal(o.Value); err == nil {
			_ = json.Unmarshal(b, &awaiting)
		}
	}
	operatorValued := map[string]bool{}
	for _, s := range rotSecrets(rec) {
		operatorValued[s.name] = s.rotationTy == rotManualTag && s.res.Tags()["FirstValue"] == "operator"
	}
	for arn, s := range rotSecrets(rec) {
		rots := bySecret[arn]
		if w, ok := awaiting[s.name]; ok && len(rots) == 0 {
			// ExceptionAwaitingOwnerChanges, only while owners have changes to make.
			if w.WaitsFor == rotOwnersOut && ownerChanges(rec) > 0 {
				continue
			}
			// ExceptionAwaitingPrerequisite, only while an operator's value is missing.
			if !operatorValued[w.WaitsFor] {
				out = append(out, violation(2, s.res, "secret %s has no rotation while it waits for %q, which is not an operator-valued secret of this stack (exception %s)", s.name, w.WaitsFor, ExceptionAwaitingPrerequisite))
			}
			continue
		}
		switch s.rotationTy {
		case rotAutoTag:
			if len(rots) != 1 {
				out = append(out, violation(2, s.res, "secret %s rotates automatically but has %d rotation resources, want 1", s.name, len(rots)))
			}
			for _, r := range rots {
				out = append(out, scheduleViolations(r)...)
			}
		case rotManualTag:
			if len(rots) > 0 {
				out = append(out, violation(2, s.res, "secret %s is Rotation=manual but has a rotation resource", s.name))
			}
			// The named exception applies only where the stack says why.
			reason := manual[s.name]
			if strings.TrimSpace(reason) == "" || !strings.Contains(strings.ToLower(reason), "runbook") {
				out = append(out, violation(2, s.res, "manual secret %s has no reason with a runbook in the %s output (exception %s)", s.name, rotManualOut, ExceptionManualRotation))
			}
		default:
			out = append(out, violation(2, s.res, "secret %s has Rotation tag %q, want %q or %q", s.name, s.rotationTy, rotAutoTag, rotManualTag))
		}
	}
	return out
}

// scheduleViolations checks one rotation's rules: a period of 1-90 days, or
// a schedule that runs at least every 90 days and at most every 4 hours.
func scheduleViolations(r mockrun.Resource) []Violation {
	days, hasDays := r.Int("rotationRules.automaticallyAfterDays")
	expr := r.Str("rotationRules.scheduleExpression")
	switch {
	case hasDays && expr != "":
		return []Violation{violation(2, r, "both automaticallyAfterDays and scheduleExpression are set")}
	case hasDays:
		if days < 1 || days > rotMaxDays {
			return []Violation{violation(2, r, "automaticallyAfterDays = %d, want 1-%d", days, rotMaxDays)}
		}
	case expr != "":
		if m := rotRate.FindStringSubmatch(expr); m != nil {
			n, _ := strconv.Atoi(m[1])
			hours := n
			if strings.HasPrefix(m[2], "day") {
				hours = n * 24
			}
			if hours < rotMinHours || hours > rotMaxDays*24 {
				return []Violation{violation(2, r, "scheduleExpression %s runs every %d hours, want %d hours to %d days", expr, hours, rotMinHours, rotMaxDays)}
			}
			return nil
		}
		// A cron with a fixed minute and hour and every month runs at most
		// daily and at least monthly.
		if !rotCron.MatchString(expr) {
			return []Violation{violation(2, r, "scheduleExpression %q is not provably between %d hours and %d days", expr, rotMinHours, rotMaxDays)}
		}
	default:
		return []Violation{violation(2, r, "no rotation period: neither automaticallyAfterDays nor scheduleExpression")}
	}
	return nil
}

// rotFunction is a rotation function of the stack and the secrets the plan
// gives it: the rotationFunctions output (every automatically rotated
// secret, those whose rotation awaits a prerequisite included) and the
// rotation resources that name it. Its invoke permissions and its role are
// judged against that plan, never against themselves.
type rotFunction struct {
	fn  mockrun.Resource
	own map[string]bool
}

// rotFunctionIndex finds a function by name or ARN, as a Lambda permission
// may name it either way.
type rotFunctionIndex map[string]*rotFunction

func (ix rotFunctionIndex) of(ref string) (*rotFunction, bool) {
	rf, ok := ix[ref]
	return rf, ok
}

// rotFunctions are the functions that carry a rotation strategy, that the
// plan or a rotation names, or that Secrets Manager may invoke, by name.
func rotFunctions(rec *mockrun.Recording) map[string]*rotFunction {
	all := rotFunctionIndex{}
	for _, f := range rec.OfType(rotTypeFunction) {
		rf := &rotFunction{fn: f, own: map[string]bool{}}
		all[f.Str("name")], all[f.StateStr("arn")] = rf, rf
	}
	out := map[string]*rotFunction{}
	mark := func(rf *rotFunction) { out[rf.fn.Str("name")] = rf }
	for _, rf := range all {
		if rf.fn.Str("environment.variables."+rotStrategyEnv) != "" {
			mark(rf)
		}
	}
	arns := map[string]string{}
	for arn, s := range rotSecrets(rec) {
		arns[s.name] = arn
	}
	for secret, fn := range rotPlanned(rec) {
		if rf, ok := all.of(fn); ok {
			rf.own[arns[secret]] = true
			mark(rf)
		}
	}
	for _, r := range rec.OfType(rotTypeRotation) {
		if rf, ok := all.of(r.Str("rotationLambdaArn")); ok {
			rf.own[r.Str("secretId")] = true
			mark(rf)
		}
	}
	for _, p := range rec.OfType(rotTypePermission) {
		if rf, ok := all.of(p.Str("function")); ok && p.Str("principal") == "secretsmanager.amazonaws.com" {
			mark(rf)
		}
	}
	return out
}

// rotPlanned is the rotationFunctions output: secret name to function name.
func rotPlanned(rec *mockrun.Recording) map[string]string {
	planned := map[string]string{}
	if o, ok := rec.Outputs[rotFunctionsOut]; ok {
		if b, err := json.Marshal(o.Value); err == nil {
			_ = json.Unmarshal(b, &planned)
		}
	}
	return planned
}

// rotPermissionPrincipals are who may invoke a rotation function: Secrets
// Manager for the secrets it rotates, EventBridge for its sweep schedule.
func rotPermissionPrincipals() []string {
	return []string{"secretsmanager.amazonaws.com", "events.amazonaws.com"}
}

func checkInvokePermissions(rec *mockrun.Recording) []Violation {
	var out []Violation
	secrets := rotSecrets(rec)
	fns := rotFunctions(rec)
	ix := rotFunctionIndex{}
	for _, rf := range fns {
		ix[rf.fn.Str("name")], ix[rf.fn.StateStr("arn")] = rf, rf
	}
	rules := map[string]bool{}
	for _, r := range rec.OfType(mockrun.TypeEventRule) {
		rules[r.StateStr("arn")] = true
	}
	account := rec.Account()
	servedBy := map[string][]string{}
	for _, p := range rec.OfType(rotTypePermission) {
		rf, rotator := ix.of(p.Str("function"))
		principal := p.Str("principal")
		isSM := principal == "secretsmanager.amazonaws.com"
		if !isSM && !rotator {
			continue
		}
		src, acct := p.Str("sourceArn"), p.Str("sourceAccount")
		switch {
		case !slices.Contains(rotPermissionPrincipals(), principal):
			out = append(out, violation(11, p, "principal %q may invoke a rotation function; want one of %v", principal, rotPermissionPrincipals()))
			continue
		case src == "" || acct == "":
			out = append(out, violation(11, p, "permission for %s has sourceArn %q and sourceAccount %q, want both", principal, src, acct))
			continue
		case acct != account:
			out = append(out, violation(11, p, "sourceAccount %s is not this stack's account %s", acct, account))
		case arnAccountOf(src) != "" && arnAccountOf(src) != acct:
			out = append(out, violation(11, p, "sourceAccount %s is not the account of %s", acct, src))
		}
		switch {
		case isSM && secrets[src].arn == "":
			out = append(out, violation(11, p, "Secrets Manager may invoke with sourceArn %q, not a secret of this stack", src))
		case isSM && (!rotator || !rf.own[src]):
			out = append(out, violation(11, p, "Secrets Manager may invoke %s for %s, which the stack does not rotate with it (rotationFunctions)", p.Str("function"), secrets[src].name))
		case isSM:
			servedBy[src] = append(servedBy[src], rf.fn.Str("name"))
		case !rules[src]:
			out = append(out, violation(11, p, "EventBridge may invoke %s from %q, not a rule of this stack", p.Str("function"), src))
		}
	}
	for src, fns := range servedBy {
		if slices.Sort(fns); len(slices.Compact(fns)) > 1 {
			out = append(out, violation(11, secrets[src].res, "secret %s may be rotated by %v, want one function", secrets[src].name, fns))
		}
	}
	planned := rotPlanned(rec)
	for _, sec := range secrets {
		if sec.rotationTy != rotAutoTag {
			continue
		}
		if _, ok := ix.of(planned[sec.name]); !ok {
			out = append(out, violation(11, sec.res, "secret %s rotates automatically but the plan (rotationFunctions) names no function of this stack for it: %q", sec.name, planned[sec.name]))
		}
	}
	for _, r := range rec.OfType(rotTypeRotation) {
		target, secret := r.Str("rotationLambdaArn"), r.Str("secretId")
		rf, ok := ix.of(target)
		switch {
		case !ok:
			out = append(out, violation(11, r, "rotationLambdaArn %q is not a function this program deployed", target))
		case planned[secrets[secret].name] != rf.fn.Str("name"):
			out = append(out, violation(11, r, "the rotation of %s invokes %s; the plan (rotationFunctions) gives it %q", secrets[secret].name, rf.fn.Str("name"), planned[secrets[secret].name]))
		case !slices.Contains(servedBy[secret], rf.fn.Str("name")):
			out = append(out, violation(11, r, "function %s has no invoke permission for secretsmanager.amazonaws.com with sourceArn %s", rf.fn.Str("name"), secret))
		}
	}
	return out
}

func checkRotatorRoles(rec *mockrun.Recording) []Violation {
	masters := rotMasterSecrets(rec)
	var out []Violation
	byRole := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(rotFunctions(rec))) {
		rf := rotFunctions(rec)[name]
		byRole[rf.fn.Str("role")] = append(byRole[rf.fn.Str("role")], name)
		out = append(out, roleViolations(rec, rf, masters)...)
	}
	for role, fns := range byRole {
		if len(fns) > 1 {
			out = append(out, violation(12, rotFunctions(rec)[fns[0]].fn, "rotation functions %v share the role %s; each group's role lists its own secrets", fns, role))
		}
	}
	return out
}

// rotRoleDocs are every identity policy a role carries: RolePolicy
// resources, the role's own inlinePolicies, and customer-managed policies
// attached by RolePolicyAttachment, PolicyAttachment or managedPolicyArns;
// managed are the ARNs of the policies attached to it.
func rotRoleDocs(rec *mockrun.Recording, role mockrun.Resource) (docs map[string]mockrun.Resource, managed map[string]mockrun.Resource) {
	name := role.StateStr("name")
	docs, managed = map[string]mockrun.Resource{}, map[string]mockrun.Resource{}
	for _, p := range rec.OfType(rotTypeRolePolicy) {
		if p.Str("role") == name {
			docs[p.Str("policy")] = p
		}
	}
	if v, ok := role.Input("inlinePolicies"); ok && v.IsArray() {
		for _, e := range v.ArrayValue() {
			if e = mockrun.Plain(e); e.IsObject() {
				if d := mockrun.Plain(e.ObjectValue()["policy"]); d.IsString() {
					docs[d.StringValue()] = role
				}
			}
		}
	}
	for _, arn := range role.Strings("managedPolicyArns") {
		managed[arn] = role
	}
	for _, a := range rec.OfType(rotTypeAttachment) {
		if a.Str("role") == name {
			managed[a.Str("policyArn")] = a
		}
	}
	for _, a := range rec.OfType("aws:iam/policyAttachment:PolicyAttachment") {
		if slices.Contains(a.Strings("roles"), name) {
			managed[a.Str("policyArn")] = a
		}
	}
	for _, p := range rec.OfType(mockrun.TypePolicy) {
		if _, ok := managed[p.StateStr("arn")]; ok {
			docs[p.Str("policy")] = p
		}
	}
	return docs, managed
}

func roleViolations(rec *mockrun.Recording, rf *rotFunction, masters []string) []Violation {
	fn := rf.fn
	var out []Violation
	role, ok := rotRoleByArn(rec, fn.Str("role"))
	if !ok {
		return []Violation{violation(12, fn, "execution role %q is not a role of this stack", fn.Str("role"))}
	}
	roleName := role.StateStr("name")
	env := func(k string) string { return fn.Str("environment.variables." + k) }
	strategy := env(rotStrategyEnv)
	// Secrets a rotator may read besides its own, each by a named exception.
	reads := map[string]string{}
	if strings.HasPrefix(strategy, "postgres-") {
		for _, m := range masters {
			reads[m] = ExceptionMasterSecretRead
		}
	}
	for _, k := range rotAdminSecretEnvs() {
		if v := env(k); v != "" {
			reads[v] = ExceptionAdminSecretRead
		}
	}
	docs, managed := rotRoleDocs(rec, role)
	_, hasVPC := fn.Input("vpcConfig.subnetIds")
	ours := map[string]bool{}
	for _, p := range rec.OfType(mockrun.TypePolicy) {
		ours[p.StateStr("arn")] = true
	}
	for arn, by := range managed {
		if ours[arn] {
			continue // its document is judged below, like an inline one
		}
		if !strings.HasSuffix(arn, ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole") || !hasVPC {
			out = append(out, violation(12, by, "rotator role %s carries managed policy %s; only a VPC rotator carries AWSLambdaVPCAccessExecutionRole", roleName, arn))
		}
	}
	for _, text := range slices.Sorted(maps.Keys(docs)) {
		p := docs[text]
		doc, err := iam.Parse(text)
		if err != nil {
			out = append(out, violation(12, p, "policy does not parse: %v", err))
			continue
		}
		for _, st := range doc.Statement {
			out = append(out, rotatorStatementViolations(rec, p, st, rf, reads)...)
		}
	}
	return out
}

func rotatorStatementViolations(rec *mockrun.Recording, p mockrun.Resource, st iam.Statement, rf *rotFunction, reads map[string]string) []Violation {
	if st.Effect != iam.Allow {
		return nil
	}
	var out []Violation
	fn := rf.fn
	for _, a := range st.Action {
		service, _, _ := strings.Cut(a, ":")
		switch service {
		case "secretsmanager":
			if a == "secretsmanager:GetRandomPassword" && slices.Equal(st.Resource, []string{"*"}) {
				continue // rule 7's one action on *
			}
			for _, r := range st.Resource {
				switch {
				case rf.own[r]:
					if !slices.Contains(rotOwnActions(), a) {
						out = append(out, violation(12, p, "statement %s grants %s on its own secret; the rotation protocol needs only %v", st.Sid, a, rotOwnActions()))
					}
				case reads[r] != "" && a == "secretsmanager:GetSecretValue":
					// ExceptionMasterSecretRead or ExceptionAdminSecretRead.
				default:
					out = append(out, violation(12, p, "statement %s grants %s on %s, not one of the secrets %s rotates", st.Sid, a, r, fn.Str("name")))
				}
			}
		case "kms":
			out = append(out, rotatorKMSViolations(rec, p, st, a, rf, reads)...)
		case "logs":
			lg := fmt.Sprintf(":log-group:/aws/lambda/%s", fn.Str("name"))
			for _, r := range st.Resource {
				if !strings.Contains(r, lg) {
					out = append(out, violation(12, p, "statement %s grants %s on %s, not the function's own log group", st.Sid, a, r))
				}
			}
		case "xray":
			// X-Ray has no resource-level permissions (rule 6 lists them).
		default:
			out = append(out, violation(12, p, "statement %s grants %s, which rotation does not need", st.Sid, a))
		}
	}
	return out
}

// rotatorKMSViolations: Decrypt and GenerateDataKey only, each conditioned on
// an encryption context, and each on a named key, never "*" or a pattern.
// The function's own environment key (its kmsKeyArn, the platform key) is
// Decrypt only, conditioned on the function's own aws:lambda:FunctionArn
// context. Every other key resource, whether named by ARN, alias or id, is
// held to the secrets key's conditions: the SecretARN context of the
// rotator's secrets (GenerateDataKey: its own only) through Secrets Manager.
// Checking only the resource that equals the secret's key ARN would let the
// same grant through on "*" or by alias. A key of another region is a
// replica region's (replicaKeyViolations): kms:Encrypt is allowed there
// only, where Secrets Manager re-encrypts the rotator's puts.
func rotatorKMSViolations(rec *mockrun.Recording, p mockrun.Resource, st iam.Statement, a string, rf *rotFunction, reads map[string]string) []Violation {
	fn := rf.fn
	if a != "kms:Decrypt" && a != "kms:GenerateDataKey" && a != "kms:Encrypt" {
		return []Violation{violation(12, p, "statement %s grants %s; a rotator needs kms:Decrypt and kms:GenerateDataKey only (and kms:Encrypt on a replica region's key)", st.Sid, a)}
	}
	// ForAllValues holds when the key is absent, so it conditions nothing.
	for op := range st.Condition {
		if strings.HasPrefix(op, "ForAllValues:") {
			return []Violation{violation(12, p, "statement %s grants %s under %s, which holds without the encryption context; use StringEquals", st.Sid, a, op)}
		}
	}
	ctx := st.Condition["StringEquals"]
	var out []Violation
	hasContext := false
	for k := range ctx {
		hasContext = hasContext || strings.HasPrefix(k, "kms:EncryptionContext:")
	}
	if !hasContext {
		return []Violation{violation(12, p, "statement %s grants %s without an encryption-context condition", st.Sid, a)}
	}
	platform := fn.Str("kmsKeyArn")
	for _, r := range st.Resource {
		switch {
		case strings.Contains(r, "*"):
			out = append(out, violation(12, p, "statement %s grants %s on %s; a rotator's key grants name a key", st.Sid, a, r))
		case platform != "" && r == platform:
			out = append(out, environmentKeyViolations(p, st, a, ctx, fn)...)
		case iam.RegionOf(r) != "" && iam.RegionOf(r) != fnRegion(rec, fn):
			out = append(out, replicaKeyViolations(rec, p, st, a, r, ctx, rf)...)
		case a == "kms:Encrypt":
			out = append(out, violation(12, p, "statement %s grants kms:Encrypt on %s; in its own region a rotator needs kms:Decrypt and kms:GenerateDataKey only", st.Sid, r))
		default:
			out = append(out, secretKeyViolations(p, st, a, r, ctx, rf, reads)...)
		}
	}
	return out
}

// fnRegion is the region a function deploys into.
func fnRegion(rec *mockrun.Recording, fn mockrun.Resource) string {
	if fn.Region != "" {
		return fn.Region
	}
	return rec.Region
}

// replicaKeyViolations: a key of a replica region is used only to encrypt
// new versions of the rotator's own secrets for their replicas there:
// kms:Encrypt and kms:GenerateDataKey, through that region's Secrets
// Manager, for replica ARNs of its own secrets that the stack replicates
// there under this very key. A rotator never reads a replica.
func replicaKeyViolations(rec *mockrun.Recording, p mockrun.Resource, st iam.Statement, a, key string, ctx map[string]iam.Strings, rf *rotFunction) []Violation {
	var out []Violation
	region, home := iam.RegionOf(key), fnRegion(rec, rf.fn)
	if a != "kms:Encrypt" && a != "kms:GenerateDataKey" {
		out = append(out, violation(12, p, "statement %s grants %s on %s, a key of replica region %s; a rotator only encrypts new versions for the replicas there", st.Sid, a, key, region))
	}
	via := ctx["kms:ViaService"]
	if len(via) == 0 || slices.ContainsFunc(via, func(v string) bool { return !strings.HasPrefix(v, "secretsmanager."+region+".") }) {
		out = append(out, violation(12, p, "statement %s grants %s on %s with kms:ViaService %v, want Secrets Manager of %s only", st.Sid, a, key, []string(via), region))
	}
	arns := ctx["kms:EncryptionContext:SecretARN"]
	if len(arns) == 0 {
		out = append(out, violation(12, p, "statement %s grants %s on %s without a kms:EncryptionContext:SecretARN condition", st.Sid, a, key))
	}
	for _, s := range arns {
		primary := iam.ARNInRegion(s, home)
		if iam.RegionOf(s) != region || !rf.own[primary] || rec.SecretKeyArn(s) != key {
			out = append(out, violation(12, p, "statement %s grants %s for %s, not a replica in %s, under this key, of the rotator's own secrets", st.Sid, a, s, region))
		}
	}
	return out
}

// environmentKeyViolations: the environment key opens this function's
// environment only, and only to read it.
func environmentKeyViolations(p mockrun.Resource, st iam.Statement, a string, ctx map[string]iam.Strings, fn mockrun.Resource) []Violation {
	var out []Violation
	if a != "kms:Decrypt" {
		out = append(out, violation(12, p, "statement %s grants %s on the environment key; a rotator only decrypts its environment", st.Sid, a))
	}
	want := fn.StateStr("arn")
	if got := ctx["kms:EncryptionContext:aws:lambda:FunctionArn"]; !slices.Equal(got, []string{want}) {
		out = append(out, violation(12, p, "statement %s grants %s on the environment key with kms:EncryptionContext:aws:lambda:FunctionArn %v, want the function's own %s", st.Sid, a, got, want))
	}
	return out
}

// secretKeyViolations: any other key is used for the rotator's secrets only,
// and only through Secrets Manager.
func secretKeyViolations(p mockrun.Resource, st iam.Statement, a, key string, ctx map[string]iam.Strings, rf *rotFunction, reads map[string]string) []Violation {
	var out []Violation
	arns := ctx["kms:EncryptionContext:SecretARN"]
	if len(arns) == 0 {
		out = append(out, violation(12, p, "statement %s grants %s on %s without a kms:EncryptionContext:SecretARN condition", st.Sid, a, key))
	}
	via := ctx["kms:ViaService"]
	if len(via) == 0 {
		out = append(out, violation(12, p, "statement %s grants %s on %s without kms:ViaService", st.Sid, a, key))
	}
	for _, v := range via {
		switch region := iam.RegionOf(key); {
		case !strings.HasPrefix(v, "secretsmanager."):
			out = append(out, violation(12, p, "statement %s grants %s on %s with kms:ViaService %s, which is not Secrets Manager", st.Sid, a, key, v))
		case region != "" && !strings.HasPrefix(v, "secretsmanager."+region+"."):
			// A key is used only through Secrets Manager of its own region.
			out = append(out, violation(12, p, "statement %s grants %s on %s with kms:ViaService %s, Secrets Manager of another region than the key's %s", st.Sid, a, key, v, region))
		}
	}
	for _, s := range arns {
		switch {
		case rf.own[s]:
		case reads[s] != "" && a == "kms:Decrypt":
		default:
			out = append(out, violation(12, p, "statement %s grants %s for secret %s, not the rotator's own secrets", st.Sid, a, s))
		}
	}
	return out
}

func checkRotatorFunctions(rec *mockrun.Recording) []Violation {
	cmks := keyARNs(rec)
	groups := map[string]mockrun.Resource{}
	for _, g := range rec.OfType(rotTypeLogGroup) {
		groups[g.Str("name")] = g
	}
	var out []Violation
	for _, rf := range rotFunctions(rec) {
		fn := rf.fn
		if n, _ := fn.Int("reservedConcurrentExecutions"); n <= 0 {
			out = append(out, violation(13, fn, "reservedConcurrentExecutions = %d, want a positive reservation", n))
		}
		if m := fn.Str("tracingConfig.mode"); m != "Active" {
			out = append(out, violation(13, fn, "tracingConfig.mode = %q, want Active", m))
		}
		if k := fn.Str("kmsKeyArn"); !slices.Contains(cmks, k) {
			out = append(out, violation(13, fn, "kmsKeyArn %q is not a customer-managed key of this stack", k))
		}
		g, ok := groups["/aws/lambda/"+fn.Str("name")]
		if !ok {
			out = append(out, violation(13, fn, "no log group /aws/lambda/%s", fn.Str("name")))
		} else {
			if days, _ := g.Int("retentionInDays"); days <= 0 {
				out = append(out, violation(13, g, "retentionInDays = %d, want a retention period", days))
			}
			if k := g.Str("kmsKeyId"); !slices.Contains(cmks, k) {
				out = append(out, violation(13, g, "kmsKeyId %q is not a customer-managed key of this stack", k))
			}
		}
		if strings.HasPrefix(fn.Str("environment.variables."+rotStrategyEnv), "postgres-") {
			if len(fn.Strings("vpcConfig.subnetIds")) == 0 || len(fn.Strings("vpcConfig.securityGroupIds")) == 0 {
				out = append(out, violation(13, fn, "a rotator that reaches the database has no VPC subnets or security groups"))
			}
		}
	}
	return out
}

func rotRoleByArn(rec *mockrun.Recording, arn string) (mockrun.Resource, bool) {
	for _, r := range rec.OfType(rotTypeRole) {
		if r.StateStr("arn") == arn {
			return r, true
		}
	}
	return mockrun.Resource{}, false
}

// rotMasterSecrets are the RDS-managed master secrets of the stack's
// databases, and the master secret of an existing database
// (database.existing.masterSecretArn), which the stack exports.
func rotMasterSecrets(rec *mockrun.Recording) []string {
	var out []string
	if o, ok := rec.Outputs[rotMasterOut]; ok {
		if arn, ok := o.Value.(string); ok && arn != "" {
			out = append(out, arn)
		}
	}
	for _, db := range rec.OfType(mockrun.TypeRDSInstance) {
		v, ok := db.State["masterUserSecrets"]
		if !ok || !mockrun.Plain(v).IsArray() {
			continue
		}
		for _, e := range mockrun.Plain(v).ArrayValue() {
			if e = mockrun.Plain(e); e.IsObject() {
				if s, ok := e.ObjectValue()["secretArn"]; ok && mockrun.Plain(s).IsString() {
					out = append(out, mockrun.Plain(s).StringValue())
				}
			}
		}
	}
	return out
}

// arnAccountOf returns the account field of an ARN, "" if it has none.
func arnAccountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// ownerChanges counts the changes the stack lists for owners of resources it
// did not create.
func ownerChanges(rec *mockrun.Recording) int {
	var changes []any
	if o, ok := rec.Outputs[rotOwnersOut]; ok {
		if b, err := json.Marshal(o.Value); err == nil {
			_ = json.Unmarshal(b, &changes)
		}
	}
	return len(changes)
}
