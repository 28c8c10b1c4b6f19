package config

import (
	"fmt"
	"slices"
)

func parseWorkloads(raw Raw, c Config, ps *problems) []Workload {
	seen := map[string]bool{}
	var out []Workload
	for _, e := range listEntries[rawWorkload](raw, "workloads", ps) {
		k, r := e.key, e.v
		w := Workload{Key: k, Name: r.Name, Type: WorkloadType(r.Type), RoleARN: r.RoleARN,
			Secrets: r.Secrets, InjectAtStart: r.InjectAtStart, VersionStage: r.VersionStage}
		if !workloadPattern.MatchString(w.Name) || seen[w.Name] {
			ps.add(k+".name", w.Name, "a unique name of lowercase letters, digits and dashes, at most 31 characters")
		}
		seen[w.Name] = true
		switch w.Type {
		case ECS, Lambda, EKS:
			if w.RoleARN != "" {
				ps.add(k+".roleArn", w.RoleARN, "only for type role (ecs, lambda and eks workloads get roles made here)")
			}
		case ExistingRole:
			if !roleARNPattern.MatchString(w.RoleARN) {
				ps.add(k+".roleArn", w.RoleARN, "an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>")
			}
		default:
			ps.add(k+".type", r.Type, "one of ecs, lambda, eks, role")
		}
		parseWorkloadKind(k, r, &w, c, ps)
		if len(w.Secrets) == 0 {
			ps.add(k+".secrets", "[]", "at least one catalog or external secret name")
		}
		checkReadableRefs(k+".secrets", w.Secrets, c, ps)
		if len(w.InjectAtStart) > 0 && w.Type != ECS {
			ps.add(k+".injectAtStart", fmt.Sprint(w.InjectAtStart), "only for type ecs")
		}
		for j, s := range w.InjectAtStart {
			if !slices.Contains(w.Secrets, s) {
				ps.add(fmt.Sprintf("%s.injectAtStart[%d]", k, j), s, "one of this workload's secrets")
			}
		}
		if w.VersionStage != "" && !stagePattern.MatchString(w.VersionStage) {
			ps.add(k+".versionStage", w.VersionStage, "AWSCURRENT, AWSPREVIOUS or AWSPENDING")
		}
		w.Regions = parseReaderRegions(k+".regions", r.Regions, w.Secrets, c, ps)
		if (w.Type == Lambda || w.Type == EKS) && !slices.Equal(w.Regions, []string{c.Region}) {
			// Checked against what the reader regions parsed to, so a
			// refused region is reported once.
			ps.add(k+".regions", fmt.Sprint(r.Regions), "only the stack's region (%s) for type %s: its role trusts, and the stack makes, the %s of that region only; a workload elsewhere is a workload of type ecs or role", c.Region, w.Type, map[WorkloadType]string{Lambda: "function's log group and extension layer", EKS: "cluster and Pod Identity association"}[w.Type])
		}
		out = append(out, w)
	}
	return out
}

func parseCrossAccount(raw Raw, c Config, ps *problems) []ExternalPrincipal {
	var rs []rawExternal
	decodeKey(raw, "crossAccount", &rs, ps)
	seen, principals := map[string]bool{}, map[string]string{}
	var out []ExternalPrincipal
	for i, r := range rs {
		k := fmt.Sprintf("%s[%d]", key("crossAccount"), i)
		e := ExternalPrincipal(r)
		if !workloadPattern.MatchString(e.Name) || seen[e.Name] {
			ps.add(k+".name", e.Name, "a unique name of lowercase letters, digits and dashes")
		}
		seen[e.Name] = true
		if !accountPattern.MatchString(e.AccountID) {
			ps.add(k+".accountId", e.AccountID, "a 12-digit AWS account ID (quote it in YAML so leading zeros survive)")
		}
		if !roleNamePattern.MatchString(e.RoleName) {
			ps.add(k+".roleName", e.RoleName, "the name of the reading role in that account (no wildcards)")
		}
		// One role gets one consumer policy from this stack; two entries
		// would overwrite each other's on every deploy.
		if other, dup := principals[e.AccountID+"/"+e.RoleName]; dup {
			ps.add(k+".roleName", e.RoleName, "a role no other entry names in account %s (%s does): list all its secrets in one entry", e.AccountID, other)
		}
		principals[e.AccountID+"/"+e.RoleName] = e.Name
		if e.OrgID != "" && !orgIDPattern.MatchString(e.OrgID) {
			ps.add(k+".orgId", e.OrgID, "an AWS Organizations ID, o-<10 to 32 lowercase letters or digits>")
		}
		if e.DeployRoleARN != "" && !roleARNPattern.MatchString(e.DeployRoleARN) {
			ps.add(k+".deployRoleArn", e.DeployRoleARN, "an IAM role ARN in account %s to deploy the consumer-side policy", e.AccountID)
		}
		if len(e.Secrets) == 0 {
			ps.add(k+".secrets", "[]", "at least one catalog secret name to share")
		}
		checkSecretRefs(k+".secrets", e.Secrets, c, ps)
		e.Regions = parseReaderRegions(k+".regions", r.Regions, e.Secrets, c, ps)
		for j, name := range e.Secrets {
			// Sharing only works with a key the other account can be granted
			// Decrypt on; the database secret's value is for this account's
			// applications alone.
			if s, ok := c.Secret(name); ok && s.Kind == KindDatabase {
				ps.add(fmt.Sprintf("%s.secrets[%d]", k, j), name, "a secret other than the database credentials (share a read replica's own secret instead)")
			}
		}
		out = append(out, e)
	}
	return out
}

func checkSecretRefs(k string, names []string, c Config, ps *problems) {
	for j, name := range names {
		if _, ok := c.Secret(name); !ok {
			ps.add(fmt.Sprintf("%s[%d]", k, j), name, "the name of a secret in this stack's catalog")
		}
	}
}
