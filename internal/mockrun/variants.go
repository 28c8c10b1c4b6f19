package mockrun

import (
	"encoding/json"
	"fmt"
)

// Variant suffixes: Variants names its stacks base.Name+suffix.
const (
	// VariantEverything switches on every strategy the program has (with the
	// alternating-users database), every workload type, both kinds of
	// cross-account principal and both kinds of alert subscription, in the
	// base stack's database network.
	VariantEverything = "+everything"
	// VariantEverythingOwnVPC is the same with the single-user database in a
	// VPC of its own (network.cidr): the strategy and the network resources
	// the first variant cannot have at the same time (a stack has one
	// database).
	VariantEverythingOwnVPC = "+everything-own-vpc"
	// VariantReplicas is the first variant with its secrets replicated
	// (issue 18): the stack's default replicaRegions, a secret replicated to
	// two regions and one to none, workloads and principals of other
	// accounts that read in a replica region. It registers no new type, but
	// every proof that runs the variants then covers replicas: the rules per
	// region, the deployability matrix in every region, the identities.
	VariantReplicas = "+replicas"
)

// ReplicaRegions are the replica regions of VariantReplicas: the stack's
// default and the one only the key ring adds.
func ReplicaRegions() []string { return []string{"us-east-1", "us-west-2"} }

// Variants returns stacks derived from base that, between them, make the
// program register every resource type it can: tests that must see every
// type (the deployability matrix, the identity proofs) run them beside the
// committed stacks. Account, region, mode, keys and database sizing come
// from base; the catalog, workloads, sharing and alerts are replaced.
func Variants(base Stack) ([]Stack, error) {
	env := base.Config[base.Project+":environment"]
	if env == "" {
		env = base.Name
	}
	var accounts []string
	if err := json.Unmarshal([]byte(base.Config["aws:allowedAccountIds"]), &accounts); err != nil || len(accounts) == 0 {
		return nil, fmt.Errorf("variants of %s: aws:allowedAccountIds must name the account", base.Name)
	}
	var db map[string]any
	if err := json.Unmarshal([]byte(base.Config[base.Project+":database"]), &db); err != nil {
		return nil, fmt.Errorf("variants of %s: read database: %w", base.Name, err)
	}
	var out []Stack
	for _, v := range []struct {
		suffix, strategy string
		ownVPC           bool
	}{
		{VariantEverything, "postgres-alternating-users", false},
		{VariantEverythingOwnVPC, "postgres-single-user", true},
	} {
		st, err := variant(base, base.Name+v.suffix, env, accounts[0], v.strategy, v.ownVPC, db)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	replicas, err := withReplicas(out[0], base.Name+VariantReplicas, env, accounts[0])
	if err != nil {
		return nil, err
	}
	return append(out, replicas), nil
}

// withReplicas is st with its secrets replicated and readers in the replica
// regions, named name.
func withReplicas(st Stack, name, env, account string) (Stack, error) {
	st.Name = name
	regions := ReplicaRegions()
	n := func(rest string) string { return "/" + env + "/" + rest }
	var secrets []map[string]any
	if err := json.Unmarshal([]byte(st.Config[st.Project+":secrets"]), &secrets); err != nil {
		return Stack{}, fmt.Errorf("variant %s: read secrets: %w", name, err)
	}
	for _, s := range secrets {
		switch s["name"] {
		case n("app/encryption-key"):
			s["replicaRegions"] = regions
		case n("app/session-key"):
			s["replicaRegions"] = []string{}
		}
	}
	var workloads []map[string]any
	if err := json.Unmarshal([]byte(st.Config[st.Project+":workloads"]), &workloads); err != nil {
		return Stack{}, fmt.Errorf("variant %s: read workloads: %w", name, err)
	}
	region := st.Config["aws:region"]
	for _, w := range workloads {
		if w["name"] == "api" {
			w["regions"] = []string{region, regions[0]}
		}
	}
	workloads = append(workloads, map[string]any{
		"name": "failover", "type": "role", "roleArn": "arn:aws:iam::" + account + ":role/failover-batch",
		"secrets": []string{n("app/stripe"), n("app/encryption-key"), n("app/session-key")}, "regions": regions,
	})
	var cross []map[string]any
	if err := json.Unmarshal([]byte(st.Config[st.Project+":crossAccount"]), &cross); err != nil {
		return Stack{}, fmt.Errorf("variant %s: read crossAccount: %w", name, err)
	}
	for _, c := range cross {
		switch c["name"] {
		case "messaging":
			c["regions"] = []string{region, regions[0]}
		case "partner-audit":
			c["regions"] = []string{regions[0]}
		}
	}
	for key, v := range map[string]any{"secrets": secrets, "workloads": workloads, "crossAccount": cross, "replicaRegions": regions[:1]} {
		b, err := json.Marshal(v)
		if err != nil {
			return Stack{}, fmt.Errorf("variant %s: %s: %w", name, key, err)
		}
		st = st.With(key, string(b))
	}
	return st, nil
}

func variant(base Stack, name, env, account, dbStrategy string, ownVPC bool, baseDB map[string]any) (Stack, error) {
	s := base
	s.Name = name
	// The committed file names the environment; the variant keeps it, so
	// every name and ARN is the environment's.
	s = s.With("environment", env)
	manual := func(why string) map[string]any {
		return map[string]any{"strategy": "manual", "manualReason": why + " Runbook docs/runbooks/roll-manual-key.md"}
	}
	n := func(rest string) string { return "/" + env + "/" + rest }
	secrets := []map[string]any{
		{"name": n("app/database"), "description": "Application user of the database", "kind": "database",
			"rotation": map[string]any{"strategy": dbStrategy, "days": 30}},
		{"name": n("app/database-migrations"), "description": "Migration login of the database", "kind": "database",
			"rotation": map[string]any{"strategy": dbStrategy, "days": 30}},
		{"name": n("app/session-key"), "description": "Session signing key", "kind": "password",
			"rotation": map[string]any{"strategy": "random", "days": 30}},
		{"name": n("app/webhook-token"), "description": "Token webhooks are signed with", "kind": "string",
			"rotation": map[string]any{"strategy": "random", "days": 30}},
		{"name": n("app/encryption-key"), "description": "Field encryption key ring", "kind": "keyring",
			"rotation": map[string]any{"strategy": "keyring", "days": 90}},
		{"name": n("integrations/partner"), "description": "Partner API key", "kind": "json",
			"adminSecret": n("integrations/partner-admin"), "keyApiBaseUrl": "https://keys.partner.example.com/v1",
			"rotation": map[string]any{"strategy": "http", "days": 30, "gracePeriod": "1h"}},
		{"name": n("integrations/partner-admin"), "description": "Partner admin token", "kind": "json",
			"rotation": manual("The partner rolls its admin token in its console.")},
		{"name": n("integrations/twilio"), "description": "Twilio API key", "kind": "json",
			"adminSecret": n("integrations/twilio-admin"),
			"rotation":    map[string]any{"strategy": "twilio", "days": 30, "gracePeriod": "1h"}},
		{"name": n("integrations/twilio-admin"), "description": "Twilio account credential", "kind": "json",
			"rotation": manual("The account credential is rolled in the Twilio console.")},
		{"name": n("app/stripe"), "description": "Stripe restricted key", "kind": "json",
			"rotation": manual("Stripe rolls keys only in its dashboard.")},
	}
	db := map[string]any{}
	for k, v := range baseDB {
		db[k] = v
	}
	db["secretName"] = n("app/database")
	db["migration"] = map[string]any{"secretName": n("app/database-migrations"), "username": "app_migrator"}
	if ownVPC {
		db["network"] = map[string]any{"cidr": "10.42.0.0/16", "azCount": 3}
		delete(db, "workloadSecurityGroupIds")
	} else if _, ok := db["network"].(map[string]any)["vpcId"]; !ok {
		return Stack{}, fmt.Errorf("variants of %s: the base stack's database must use an existing VPC (network.vpcId)", base.Name)
	}
	workloads := []map[string]any{
		{"name": "api", "type": "ecs", "secrets": []string{n("app/database"), n("app/stripe"), n("app/encryption-key")},
			"injectAtStart": []string{n("app/stripe")}},
		// A rotated secret injected at start: its rotations redeploy the service.
		{"name": "worker", "type": "ecs", "secrets": []string{n("app/session-key")}, "injectAtStart": []string{n("app/session-key")},
			"ecs": map[string]any{"cluster": "platform", "service": "worker"}},
		{"name": "notifier", "type": "lambda", "secrets": []string{n("integrations/twilio")}, "versionStage": "AWSCURRENT"},
		// A function in the database's VPC, on x86_64.
		{"name": "exporter", "type": "lambda", "secrets": []string{n("app/database")}, "architecture": "x86_64"},
		{"name": "ledger", "type": "eks", "secrets": []string{n("app/database"), n("app/webhook-token")},
			"eks": map[string]any{"cluster": "platform", "namespace": "payments", "serviceAccount": "ledger"}},
		// Schema migrations, with the login that owns the schema only.
		{"name": "migrate", "type": "ecs", "secrets": []string{n("app/database-migrations")}, "versionStage": "AWSCURRENT"},
		{"name": "reporting", "type": "role", "roleArn": "arn:aws:iam::" + account + ":role/reporting-batch",
			"secrets": []string{n("app/database")}},
	}
	cross := []map[string]any{
		{"name": "messaging", "accountId": "444455556666", "roleName": "messaging-sender", "orgId": "o-a1b2c3d4e5",
			"secrets":       []string{n("integrations/twilio")},
			"deployRoleArn": "arn:aws:iam::444455556666:role/secrets-platform-consumer-deploy"},
		{"name": "partner-audit", "accountId": "555566667777", "roleName": "audit/secret-auditor",
			"secrets": []string{n("integrations/partner")}},
	}
	for key, v := range map[string]any{"secrets": secrets, "database": db, "workloads": workloads, "crossAccount": cross} {
		b, err := json.Marshal(v)
		if err != nil {
			return Stack{}, fmt.Errorf("variant %s: %s: %w", name, key, err)
		}
		s = s.With(key, string(b))
	}
	// Webhook URLs carry tokens, so alerts with one are secret config.
	alerts := `{"emails":["secops@example.com"],"httpsEndpoints":["https://hooks.example.com/services/T000/B000/placeholder"]}`
	s = s.WithSecret("alerts", alerts)
	return s, nil
}
