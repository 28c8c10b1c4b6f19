package rotation

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/quota"
	"github.com/acme/secrets-platform/rotator/contract"
)

// Stand-ins of the right length for ARNs a plan cannot know yet: the suffix
// Secrets Manager gives a secret, a KMS key id, an RDS-managed master secret.
const (
	arnSuffix    = "-AbCdEf"
	keyID        = "00000000-0000-0000-0000-000000000000"
	masterSecret = "rds!db-00000000-0000-0000-0000-000000000000"
	// An RDS endpoint is the instance id (63), a 12-character account
	// hash, the region and rds.amazonaws.com; an interface endpoint's DNS
	// name is about as long.
	longestHost        = "a123456789b123456789c123456789d123456789e123456789f123456789g12.c0123456789a.ap-southeast-5.rds.amazonaws.com"
	longestEndpointURL = "https://vpce-0123456789abcdef0-0123abcd.secretsmanager.ap-southeast-5.vpce.amazonaws.com"
)

// Sizes are what one function serving a shard takes of AWS's size limits,
// measured on the documents the program writes, with ARNs of their real
// lengths and the longest host and endpoint URL a postgres rotator's
// environment can name.
type Sizes struct {
	// RolePolicy is the role's inline policy (quota.InlinePoliciesPerRole).
	RolePolicy int
	// FunctionPolicy is the function's resource policy, one invoke
	// permission per secret (quota.FunctionPolicy).
	FunctionPolicy int
	// SweepInput is a key rotator's sweep event, 0 for the others
	// (quota.TargetInput).
	SweepInput int
	// Environment is the function's environment (quota.FunctionEnvironment).
	Environment int
	// TimeoutSeconds is the function's timeout (Timeout), at most
	// MaxTimeoutSeconds.
	TimeoutSeconds int
}

// Fit reports whether every size is within its limit.
func (s Sizes) Fit() bool { return len(s.Over()) == 0 }

// Over says which sizes exceed their limit, and by how much.
func (s Sizes) Over() []string {
	var out []string
	for _, l := range []struct {
		what      string
		size, max int
	}{
		{"role's inline policy", s.RolePolicy, quota.InlinePoliciesPerRole},
		{"resource policy", s.FunctionPolicy, quota.FunctionPolicy},
		{"sweep event", s.SweepInput, quota.TargetInput},
		{"environment", s.Environment, quota.FunctionEnvironment},
	} {
		if l.size > l.max {
			out = append(out, fmt.Sprintf("its rotator's %s would be %d characters, AWS allows %d", l.what, l.size, l.max))
		}
	}
	if s.TimeoutSeconds > MaxTimeoutSeconds {
		out = append(out, fmt.Sprintf("its rotator's sweep would need %d seconds, Lambda allows %d", s.TimeoutSeconds, MaxTimeoutSeconds))
	}
	return out
}

// Measure is the Sizes of a function serving shard; settingsOf gives the
// shard's settings (admin secret by name, PlanSettings).
func Measure(acct iam.Account, env string, settingsOf func(config.Secret) contract.Settings, shard []config.Secret) (Sizes, error) {
	if len(shard) == 0 {
		return Sizes{}, nil
	}
	// The longest name Groups can give: the measure holds for any shard.
	fn := GroupName(env, contract.PostgresAlternatingUsers, strings.Repeat("f", 16), 99)
	st := settingsOf(shard[0])
	var arns []string
	for _, s := range shard {
		arns = append(arns, SecretARNOf(acct, s.Name))
	}
	a := PolicyArgs{
		Strategy: config.Strategy(st.Strategy), Account: acct, SecretArns: arns, FunctionArn: acct.ARN("lambda", "function:"+fn),
		SecretsKeyArn: acct.ARN("kms", "key/"+keyID), PlatformKeyArn: acct.ARN("kms", "key/"+keyID),
		LogGroupArn: acct.ARN("logs", "log-group:/aws/lambda/"+fn),
		// Each replica region's key, by an ARN of its real length.
		Replicas: ReplicaKeys(shard, arns, standInKeys(acct, shard)),
	}
	if st.Strategy.ReadsAdminSecret() {
		a.AdminSecretArn = SecretARNOf(acct, st.KeyAPI.AdminSecretARN)
		st.KeyAPI.AdminSecretARN = a.AdminSecretArn
	}
	if st.Strategy.ReadsMasterSecret() {
		a.MasterSecretArn = acct.ARN("secretsmanager", "secret:"+masterSecret+arnSuffix)
		st.Database.Host, st.SecretsManagerEndpoint = longestHost, longestEndpointURL
	}
	role, err := Policy(a).JSON()
	if err != nil {
		return Sizes{}, err
	}
	vars, err := st.Env()
	if err != nil {
		return Sizes{}, err
	}
	out := Sizes{RolePolicy: len(role), FunctionPolicy: functionPolicySize(acct, fn, arns, st.Strategy.RevokesKeys()), Environment: envSize(vars),
		TimeoutSeconds: Timeout(config.Strategy(st.Strategy), len(shard))}
	if st.Strategy.RevokesKeys() {
		ev, err := contract.SweepEvent{Action: contract.ActionRevokeExpired, SecretIDs: arns}.JSON()
		if err != nil {
			return Sizes{}, err
		}
		out.SweepInput = len(ev)
	}
	return out, nil
}

// Limits is the Fits the program plans its groups with: a shard fits when
// Measure's sizes are within AWS's limits.
func Limits(acct iam.Account, env string, settingsOf func(config.Secret) contract.Settings) Fits {
	return func(shard []config.Secret) bool {
		s, err := Measure(acct, env, settingsOf, shard)
		return err == nil && s.Fit()
	}
}

// envSize is how Lambda counts an environment against its 4 KB: the keys
// and values.
func envSize(vars map[string]string) int {
	n := 0
	for k, v := range vars {
		n += len(k) + len(v)
	}
	return n
}

// SecretARNOf is the ARN a secret of that name gets, with a stand-in for the
// six-character suffix: its length is exact.
func SecretARNOf(acct iam.Account, name string) string {
	return acct.ARN("secretsmanager", "secret:"+name+arnSuffix)
}

// functionPolicySize is the size of the resource policy Lambda keeps for a
// function with one invoke permission per secret (and the sweep's), in the
// shape Lambda stores permissions.
func functionPolicySize(acct iam.Account, fn string, secrets []string, sweep bool) int {
	fnArn := acct.ARN("lambda", "function:"+fn)
	type condition map[string]map[string]string
	type statement struct {
		Sid       string            `json:"Sid"`
		Effect    string            `json:"Effect"`
		Principal map[string]string `json:"Principal"`
		Action    string            `json:"Action"`
		Resource  string            `json:"Resource"`
		Condition condition         `json:"Condition"`
	}
	var sts []statement
	for _, s := range secrets {
		sts = append(sts, statement{
			// The id's length does not depend on what it hashes.
			Sid: PermissionStatementID(s), Effect: "Allow", Principal: map[string]string{"Service": "secretsmanager.amazonaws.com"},
			Action: "lambda:InvokeFunction", Resource: fnArn,
			Condition: condition{"StringEquals": {"AWS:SourceAccount": acct.ID}, "ArnLike": {"AWS:SourceArn": s}},
		})
	}
	if sweep {
		sts = append(sts, statement{
			Sid: "EventBridgeSweepsOwnSecrets", Effect: "Allow", Principal: map[string]string{"Service": "events.amazonaws.com"},
			Action: "lambda:InvokeFunction", Resource: fnArn,
			Condition: condition{"StringEquals": {"AWS:SourceAccount": acct.ID}, "ArnLike": {"AWS:SourceArn": acct.ARN("events", "rule/"+SweepRuleName(fn))}},
		})
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": sts})
	return len(b)
}

// standInKeys are key ARNs of the real length in each replica region of shard.
func standInKeys(acct iam.Account, shard []config.Secret) map[string]string {
	out := map[string]string{}
	for _, s := range shard {
		for _, r := range s.ReplicaRegions {
			out[r] = acct.InRegion(r).ARN("kms", "key/"+keyID)
		}
	}
	return out
}
