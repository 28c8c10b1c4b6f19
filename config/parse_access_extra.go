package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/acme/secrets-platform/iam"
)

// checkAccessExtra refuses access config that parses but would grant more
// than it says, or fail only at deploy time. Parse calls it after the
// workloads and cross-account principals are parsed.
func checkAccessExtra(raw Raw, c Config, ps *problems) {
	admin := adminSecrets(c)
	own := ownAccounts(raw)
	for _, w := range c.Workloads {
		k := w.Key
		checkNotAdminSecrets(k+".secrets", w.Secrets, admin, ps)
		checkNoDuplicates(k+".secrets", w.Secrets, ps)
		// An inline policy can be put only on a role of the deploying account.
		if w.Type == ExistingRole && len(own) > 0 && !slices.Contains(own, iam.AccountOf(w.RoleARN)) {
			ps.add(k+".roleArn", w.RoleARN, "a role in this stack's account (%s); a role in another account is a crossAccount principal", strings.Join(own, ", "))
		}
	}
	for i, e := range c.CrossAccount {
		k := fmt.Sprintf("%s[%d]", key("crossAccount"), i)
		checkNotAdminSecrets(k+".secrets", e.Secrets, admin, ps)
		checkNoDuplicates(k+".secrets", e.Secrets, ps)
		if slices.Contains(own, e.AccountID) {
			ps.add(k+".accountId", e.AccountID, "another account than this stack's own (declare a workload for roles of this account)")
		}
		if e.DeployRoleARN != "" && roleARNPattern.MatchString(e.DeployRoleARN) && iam.AccountOf(e.DeployRoleARN) != e.AccountID {
			ps.add(k+".deployRoleArn", e.DeployRoleARN, "a role in account %s, the account the consumer-side policy is deployed into", e.AccountID)
		}
	}
}

// adminSecrets are the provider credentials that mint API keys: only their
// rotator reads them, so no workload or other account may.
func adminSecrets(c Config) map[string]string {
	out := map[string]string{}
	for _, s := range c.Secrets {
		if s.AdminSecret != "" {
			out[s.AdminSecret] = s.Name
		}
	}
	return out
}

func checkNotAdminSecrets(k string, names []string, admin map[string]string, ps *problems) {
	for j, n := range names {
		if of, ok := admin[n]; ok {
			ps.add(fmt.Sprintf("%s[%d]", k, j), n, "a secret other than the admin credential of %s (only its rotator reads it)", of)
		}
	}
}

func checkNoDuplicates(k string, names []string, ps *problems) {
	for j, n := range names {
		if slices.Index(names, n) != j {
			ps.add(fmt.Sprintf("%s[%d]", k, j), n, "each secret once")
		}
	}
}

// ownAccounts are the stack's accounts from aws:allowedAccountIds; empty
// when the stack does not pin them.
func ownAccounts(raw Raw) []string {
	var ids []string
	if v, ok := raw.Values["aws:allowedAccountIds"]; ok {
		_ = json.Unmarshal([]byte(v), &ids) // a malformed list pins nothing; the AWS provider reports it
	}
	return ids
}
