package stack

import (
	"fmt"
	"maps"
	"slices"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/crossaccount"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/quota"
	"github.com/acme/secrets-platform/redeploy"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/secrets"
)

// Usage is what a stack takes of the account's quotas and of AWS's size
// limits, measured from its config and planned rotator groups before
// anything is registered: AWS would refuse a deploy that exceeds one of
// them halfway through, so the program refuses the config instead.
type Usage struct {
	// Roles, ReservedConcurrency, Rules and ManagedPolicies count against
	// the stack's budgets (quota.RolesPerStack, ReservedConcurrencyPerStack,
	// RulesPerStack, ManagedPoliciesPerStack).
	Roles, ReservedConcurrency, Rules, ManagedPolicies int
	// RotatorGroups is how many rotation functions the stack deploys.
	RotatorGroups int
	// Alarms counts the CloudWatch alarms, for the cost estimate: the
	// alerts', a key ring alarm per keyring group, a redeployer's two.
	Alarms int
	// Largest is, per limit, the largest document the stack writes.
	Largest map[string]Size
	// measured is every document's size, per limit and document (Size.Of).
	measured map[string]map[string]int
	// over are the documents that exceed their limit, with the key that
	// makes them grow.
	over []config.Problem
}

// Size is one document's size against the limit AWS sets for it.
type Size struct {
	// Of says which document: "inline policies of role prod-api-task".
	Of string
	// Key is the config entry that makes it grow.
	Key   string
	Chars int
	Limit int
}

// Limits a stack's documents are measured against (Usage.Largest's keys).
const (
	LimitInlinePolicies = "inline policies of a role"
	LimitManagedPolicy  = "managed policy"
	LimitTrustPolicy    = "trust policy"
	LimitKeyPolicy      = "key policy"
	LimitSecretPolicy   = "secret resource policy"
	LimitEnvironment    = "Lambda environment"
	LimitFunctionPolicy = "Lambda resource policy"
	LimitTargetInput    = "EventBridge target input"
	LimitEventPattern   = "EventBridge event pattern"
)

// standInKeyID has a KMS key id's length, for the key ARN config cannot know.
const standInKeyID = "00000000-0000-0000-0000-000000000000"

// MeasureUsage is the Usage of a stack's validated config in an account.
func MeasureUsage(cfg config.Config, acct iam.Account) (Usage, error) {
	groups, err := planRotation(cfg, acct)
	if err != nil {
		return Usage{}, err
	}
	return measureUsage(cfg, acct, groups)
}

// measureUsage is the stack's Usage with its planned rotator groups.
func measureUsage(cfg config.Config, acct iam.Account, groups []rotation.Group) (Usage, error) {
	u := Usage{Largest: map[string]Size{}, measured: map[string]map[string]int{}}
	keyARN := acct.ARN("kms", "key/"+standInKeyID)
	arnOf := func(name string) string {
		if e, ok := cfg.External(name); ok {
			return e.ARN
		}
		return rotation.SecretARNOf(acct, name)
	}
	arnsOf := func(names []string) []string {
		out := make([]string, 0, len(names))
		for _, n := range names {
			out = append(out, arnOf(n))
		}
		return out
	}

	for _, wl := range cfg.Workloads {
		if err := u.workload(cfg, acct, wl, keyARN, arnsOf); err != nil {
			return Usage{}, err
		}
	}

	settings := groupSettings(cfg)
	u.RotatorGroups = len(groups)
	u.Roles += len(groups)
	u.ReservedConcurrency += len(groups) * rotation.ReservedConcurrency
	sweeps := 0
	for _, g := range groups {
		s, err := rotation.Measure(acct, cfg.Environment, settings, g.Secrets)
		if err != nil {
			return Usage{}, fmt.Errorf("measure rotator %s: %w", g.Name, err)
		}
		key := g.Secrets[0].Key
		of := "rotator " + g.Name
		u.measure(LimitInlinePolicies, of, key, s.RolePolicy, quota.InlinePoliciesPerRole, fixRotator)
		u.measure(LimitFunctionPolicy, of, key, s.FunctionPolicy, quota.FunctionPolicy, fixRotator)
		u.measure(LimitEnvironment, of, key, s.Environment, quota.FunctionEnvironment, fixRotator)
		if g.Settings.Strategy == contract.Keyring {
			u.Alarms++
		}
		if g.Settings.Strategy.RevokesKeys() {
			sweeps++
			u.Rules++ // the group's sweep schedule
			u.measure(LimitTargetInput, "sweep of "+g.Name, key, s.SweepInput, quota.TargetInput, fixRotator)
		}
	}

	u.alerting(cfg, acct, len(groups), sweeps)

	if err := u.keyPolicies(cfg, acct); err != nil {
		return Usage{}, err
	}
	if err := u.sharing(cfg, acct, keyARN, arnsOf); err != nil {
		return Usage{}, err
	}
	u.budgets()
	return u, nil
}

// workload counts a workload's roles and measures its policies.
func (u *Usage) workload(cfg config.Config, acct iam.Account, wl config.Workload, keyARN string, arnsOf func([]string) []string) error {
	reader := func(names []string) (int, error) {
		ra := measuredReads(cfg, acct, names, wl.Regions, keyARN, arnsOf)
		ra.VersionStage = wl.VersionStage
		d, err := iam.ReaderPolicy(ra)
		if err != nil {
			return 0, fmt.Errorf("measure workload %s: %w", wl.Name, err)
		}
		return iam.CompactLen(d)
	}
	read, err := reader(wl.Secrets)
	if err != nil {
		return err
	}
	role := iam.RolePrefix(cfg.Environment) + wl.Name
	key := wl.Key + ".secrets"
	role1 := func(suffix string, trust iam.Document, inline int) error {
		u.Roles++
		t, err := iam.CompactLen(trust)
		if err != nil {
			return err
		}
		u.measure(LimitTrustPolicy, "role "+role+suffix, wl.Key, t, quota.TrustPolicy, fixTrust)
		u.measure(LimitInlinePolicies, "role "+role+suffix, key, inline, quota.InlinePoliciesPerRole, fixWorkload)
		return nil
	}
	switch wl.Type {
	case config.ECS:
		if err := role1("-task", iam.ECSTaskTrust(acct, wl.Regions...), read); err != nil {
			return err
		}
		if len(wl.InjectAtStart) > 0 {
			inject, err := reader(wl.InjectAtStart)
			if err != nil {
				return err
			}
			if err := role1("-execution", iam.ECSTaskTrust(acct, wl.Regions...), inject); err != nil {
				return err
			}
		}
		if rotated := cfg.Redeploys(wl); len(rotated) > 0 {
			if err := u.redeployer(acct, wl, arnsOf(rotated)); err != nil {
				return err
			}
		}
	case config.Lambda:
		logs, err := iam.CompactLen(iam.FunctionLogsPolicy(acct, wl.FunctionName, cfg.ReadsDatabase(wl)))
		if err != nil {
			return err
		}
		return role1("-lambda", iam.LambdaTrust(acct.ID), read+logs)
	case config.EKS:
		sa := wl.ServiceAccount
		return role1("-pod", iam.EKSPodIdentityTrust(acct, sa.Cluster, sa.Namespace, sa.Name), read)
	case config.ExistingRole:
		u.ManagedPolicies++
		u.measure(LimitManagedPolicy, "policy "+role+"-read-secrets", key, read, quota.ManagedPolicy, fixWorkload)
	}
	return nil
}

// redeployer counts a redeployer's two roles and its rule, and measures its
// pattern, which lists the secrets it watches.
func (u *Usage) redeployer(acct iam.Account, wl config.Workload, arns []string) error {
	u.Roles += 2
	u.Rules += redeploy.RuleCount(1)
	u.Alarms += redeploy.AlarmsPerWorkload
	p, err := redeploy.Pattern(arns)
	if err != nil {
		return err
	}
	u.measure(LimitEventPattern, "redeploy rule of "+wl.Name, wl.Key+".injectAtStart", len(p), quota.EventPattern, fixInject)
	return nil
}

// alerting counts the alert rules and alarms (with a failed-deliveries alarm
// per grace sweep) and measures the rules' patterns, which grow with the
// operator roles they name.
func (u *Usage) alerting(cfg config.Config, acct iam.Account, functions, sweeps int) {
	var manual []string
	for _, s := range cfg.Secrets {
		if !s.Rotation.Strategy.Automatic() {
			manual = append(manual, s.Name)
		}
	}
	key := config.Project + ":alerts.operatorRoleArns"
	rs, err := alerts.Rules(&alerts.Args{Environment: cfg.Environment, Account: acct, ManualSecrets: manual,
		OperatorRoleARNs: cfg.Alerts.OperatorRoleARNs, MaxSecretAgeDays: cfg.MaxSecretAgeDays})
	if err != nil {
		u.over = append(u.over, config.Problem{Key: key, Value: fmt.Sprintf("%d roles", len(cfg.Alerts.OperatorRoleARNs)),
			Allowed: err.Error() + "; name fewer operator roles"})
		return
	}
	for _, r := range rs {
		u.measure(LimitEventPattern, "alert rule "+r.Name, key, len(r.Pattern), quota.EventPattern, "name fewer operator roles")
	}
	u.Rules += len(rs)
	u.Alarms += alerts.AlarmCount(functions, len(rs), sweeps)
	u.forwarders(cfg, acct)
}

// forwarders count the alert forwarders of the replica regions, one rule
// each (on that region's bus, counted here against the stack's budget all
// the same) and their one role, and measure their pattern and documents.
func (u *Usage) forwarders(cfg config.Config, acct iam.Account) {
	regions := cfg.ReplicaRegionsInUse()
	if len(regions) == 0 {
		return
	}
	key := config.Project + ":replicaRegions"
	u.Rules += len(regions)
	u.Roles++
	var rules []string
	for _, r := range regions {
		rules = append(rules, alerts.ForwardRuleARN(acct, cfg.Environment, r))
	}
	of := "role " + alerts.ForwardRoleName(cfg.Environment)
	if p, err := alerts.ForwardPattern(cfg.Environment); err == nil {
		u.measure(LimitEventPattern, "forwarding rule "+alerts.ForwardRuleName(cfg.Environment), key, len(p), quota.EventPattern, "the pattern names no secret; it does not grow")
	}
	if t, err := iam.CompactLen(iam.EventsTrustForRules(acct, rules)); err == nil {
		u.measure(LimitTrustPolicy, of, key, t, quota.TrustPolicy, "replicate to fewer regions")
	}
	if n, err := iam.CompactLen(alerts.ForwardPolicy(acct)); err == nil {
		u.measure(LimitInlinePolicies, of, key, n, quota.InlinePoliciesPerRole, "the policy names one bus; it does not grow")
	}
}

// measuredReads are the reader args of a reader running in regions, with
// ARNs and keys of their real lengths (stand-ins for the keys).
func measuredReads(cfg config.Config, acct iam.Account, names, regions []string, keyARN string, arnsOf func([]string) []string) iam.ReaderArgs {
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	byRegion := cfg.ReadsByRegion(names, regions)
	primaries := byRegion[cfg.Region]
	ra := iam.ReaderArgs{SecretARNs: arnsOf(primaries), KeyARN: keyARN, OtherKeyARNs: externalKeys(cfg, primaries), Account: acct}
	for _, r := range slices.Sorted(maps.Keys(byRegion)) {
		if r == cfg.Region {
			continue
		}
		var arns []string
		for _, a := range arnsOf(byRegion[r]) {
			arns = append(arns, iam.ARNInRegion(a, r))
		}
		ra.Replicas = append(ra.Replicas, iam.ReplicaRead{Region: r, KeyARN: iam.ARNInRegion(keyARN, r), SecretARNs: arns})
	}
	return ra
}

// keyPolicies measures both keys' policies: the secrets key's grows with
// the secrets shared with other accounts.
func (u *Usage) keyPolicies(cfg config.Config, acct iam.Account) error {
	for _, k := range []struct {
		name, key  string
		statements []iam.Statement
	}{
		{"secrets", config.Project + ":crossAccount", crossaccount.KeyStatements(cfg, acct)},
		{"platform", config.Project + ":environment", platformKeyStatements(cfg, acct)},
	} {
		n, err := iam.CompactLen(secrets.KeyPolicy(secrets.KeyPolicyArgs{Account: acct, AdminRoleARNs: cfg.KeyAdminRoleARNs, Statements: k.statements}))
		if err != nil {
			return err
		}
		u.measure(LimitKeyPolicy, "policy of the "+k.name+" key", k.key, n, quota.KeyPolicy, fixSharing)
	}
	// Each replica region's key has the secrets key's policy with the
	// statements of the principals reading the replicas there.
	for _, r := range cfg.ReplicaRegionsInUse() {
		doc := secrets.KeyPolicy(secrets.KeyPolicyArgs{Account: acct.InRegion(r), AdminRoleARNs: cfg.KeyAdminRoleARNs,
			Statements: crossaccount.KeyStatementsIn(cfg, acct, r)})
		n, err := iam.CompactLen(doc)
		if err != nil {
			return err
		}
		u.measure(LimitKeyPolicy, "policy of the secrets key in "+r, config.Project+":crossAccount", n, quota.KeyPolicy, fixSharing)
	}
	return nil
}

// sharing measures each shared secret's resource policy, one statement per
// principal, and the reading policy put on each principal's role.
func (u *Usage) sharing(cfg config.Config, acct iam.Account, keyARN string, arnsOf func([]string) []string) error {
	grants := map[string][]crossaccount.Grant{}
	arnOf := func(name string) string { return arnsOf([]string{name})[0] }
	for i, p := range cfg.CrossAccount {
		for _, s := range p.Secrets {
			var regions []string
			for _, r := range p.Regions {
				if from := cfg.ReadRegion(s, r); !slices.Contains(regions, from) {
					regions = append(regions, from)
				}
			}
			slices.Sort(regions)
			grants[s] = append(grants[s], crossaccount.Grant{Name: p.Name, PrincipalARN: crossaccount.PrincipalARN(acct.Partition, p), OrgID: p.OrgID, Regions: regions})
		}
		ra := measuredReads(cfg, acct, p.Secrets, p.Regions, keyARN, arnsOf)
		// The reader is the other account's role; only the account differs.
		ra.OtherKeyARNs, ra.Account.ID = nil, p.AccountID
		d, err := iam.ReaderPolicy(ra)
		if err != nil {
			return fmt.Errorf("measure the consumer policy of %s: %w", p.Name, err)
		}
		n, err := iam.CompactLen(d)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("%s:crossAccount[%d].secrets", config.Project, i)
		u.measure(LimitInlinePolicies, "consumer policy of "+p.Name, key, n, quota.InlinePoliciesPerRole, fixConsumer)
	}
	for name, gs := range grants {
		d, err := crossaccount.ResourcePolicy(arnOf(name), iam.ReadActions(), gs)
		if err != nil {
			return err
		}
		n, err := iam.CompactLen(d)
		if err != nil {
			return err
		}
		u.measure(LimitSecretPolicy, "resource policy of "+name, config.Project+":crossAccount", n, quota.SecretResourcePolicy, fixSharing)
	}
	return nil
}

// measure records a document's size, keeps the largest per limit and notes
// one over its limit, with what would make it fit.
func (u *Usage) measure(limit, of, key string, chars, max int, fix string) {
	if u.measured[limit] == nil {
		u.measured[limit] = map[string]int{}
	}
	if chars > u.measured[limit][of] {
		u.measured[limit][of] = chars
	}
	if chars > u.Largest[limit].Chars {
		u.Largest[limit] = Size{Of: of, Key: key, Chars: chars, Limit: max}
	}
	if chars > max {
		u.over = append(u.over, config.Problem{Key: key, Value: of,
			Allowed: fmt.Sprintf("%s of %d characters, AWS allows %d; %s", limit, chars, max, fix)})
	}
}

// Ways to make a document fit, as the refusals say them.
const (
	fixWorkload = "split the workload's secrets across two workloads"
	fixRotator  = "the secret's settings alone are too large for one function"
	fixConsumer = "share fewer secrets with this principal"
	fixTrust    = "shorten the cluster, namespace or service account name"
	fixInject   = "inject fewer automatically rotated secrets and read the others at run time (secretcache)"
	fixSharing  = "share the secrets with fewer principals"
)

// budgets notes each count over the stack's budget.
func (u *Usage) budgets() {
	for _, b := range []struct {
		key, what    string
		used, budget int
		how          string
	}{
		{config.Project + ":workloads", "IAM roles", u.Roles, quota.RolesPerStack,
			"each ecs, lambda and eks workload takes a role (ecs one more to inject at start), each rotator group one, each redeployer two"},
		{config.Project + ":secrets", "reserved Lambda concurrency", u.ReservedConcurrency, quota.ReservedConcurrencyPerStack,
			fmt.Sprintf("each rotator group reserves %d; secrets whose rotation settings differ need groups of their own", rotation.ReservedConcurrency)},
		{config.Project + ":secrets", "EventBridge rules on the default bus", u.Rules, quota.RulesPerStack,
			"the alerts, a sweep per key-rotating group and a rule per redeployer"},
		{config.Project + ":workloads", "customer managed policies", u.ManagedPolicies, quota.ManagedPoliciesPerStack,
			"each workload of type role takes one, its read policy"},
	} {
		if b.used > b.budget {
			u.over = append(u.over, config.Problem{Key: b.key, Value: fmt.Sprintf("%d %s", b.used, b.what),
				Allowed: fmt.Sprintf("at most %d per stack (%s)", b.budget, b.how)})
		}
	}
}

// Measured returns the size Usage measured for one document (Size.Of) under
// a limit, and whether it measured it.
func (u Usage) Measured(limit, of string) (int, bool) {
	n, ok := u.measured[limit][of]
	return n, ok
}

// Problems are the config problems the usage makes: every document over
// its limit and every count over its budget, in a fixed order.
func (u Usage) Problems() []config.Problem {
	out := slices.Clone(u.over)
	slices.SortStableFunc(out, func(a, b config.Problem) int {
		if a.Key < b.Key {
			return -1
		}
		if a.Key > b.Key {
			return 1
		}
		return 0
	})
	return out
}

// checkUsage refuses a stack that would not fit, naming the keys, and
// returns its usage otherwise.
func checkUsage(cfg config.Config, acct iam.Account, groups []rotation.Group) (Usage, error) {
	u, err := measureUsage(cfg, acct, groups)
	if err != nil {
		return Usage{}, err
	}
	if ps := u.Problems(); len(ps) > 0 {
		return Usage{}, &config.Error{Stack: cfg.Stack, Problems: ps}
	}
	return u, nil
}
