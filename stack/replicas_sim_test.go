package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/testenv"
)

// replicaWorld is the replica variant's recording with what its probes name.
type replicaWorld struct {
	t         *testing.T
	rec       *mockrun.Recording
	acct      iam.Account
	primaries map[string]string // name -> primary ARN
	keys      map[string]string // region -> the secrets key there
	keyDocs   map[string]iam.Document
	resource  map[string]iam.Document // primary ARN -> its resource policy
	probes    []replicaProbe
}

type replicaProbe struct {
	row   string
	req   testenv.IAMRequest
	allow bool
}

// copyOf is a secret's copy in region (the primary in the stack's region).
func (w *replicaWorld) copyOf(name, region string) string {
	return iam.ARNInRegion(w.primaries[name], region)
}

// via is Secrets Manager of region decrypting copy for caller.
func (w *replicaWorld) via(region, caller, copy string) map[string]any {
	return map[string]any{"kms:ViaService": "secretsmanager." + region + ".amazonaws.com", "kms:CallerAccount": caller, accessSimContextKey: copy}
}

func (w *replicaWorld) add(row string, allow bool, principal string, identity []json.RawMessage, action, resource string, ctx map[string]any) {
	req := testenv.IAMRequest{Principal: principal, Action: action, Resource: resource, ResourceAccount: w.acct.ID,
		IdentityPolicies: identity, Context: ctx}
	switch {
	case strings.HasPrefix(action, "kms:"):
		doc, ok := w.keyDocs[resource]
		require.True(w.t, ok, "no key policy of %s", resource)
		req.ResourcePolicy = accessSimDoc(w.t, doc)
	default:
		// Secrets Manager replicates a secret's resource policy to its replicas.
		if doc, ok := w.resource[iam.ARNInRegion(resource, w.acct.Region)]; ok {
			req.ResourcePolicy = accessSimDoc(w.t, doc)
		}
	}
	req.Name = fmt.Sprintf("%s #%d: %s %s", row, len(w.probes), action, resource)
	w.probes = append(w.probes, replicaProbe{row: row, req: req, allow: allow})
}

// TestReplicaReadersWithIAMSimulator: with the policies the replica variant
// registers, a reader in a replica region reads the replica there with that
// region's key through that region's Secrets Manager, and the primary of
// what has no replica there; it is denied the other region's key directly or
// through another region, the primary's key from a replica region, writes to
// a replica, and replicas of regions it does not run in. A rotator
// re-encrypts its own secrets' replicas and nothing else; another account's
// principal reads the copies of the regions it declares, through the three
// grants that match.
func TestReplicaReadersWithIAMSimulator(t *testing.T) {
	sim := testenv.NewIAMSim(t)
	rec, _ := parsed(t, replicaStack(t))
	w := &replicaWorld{t: t, rec: rec, keys: map[string]string{}, resource: map[string]iam.Document{},
		acct: iam.Account{ID: rec.Account(), Partition: "aws", Region: rec.Region, DNSSuffix: "amazonaws.com"}}
	accessDecodeOutput(t, rec, "secretArns", &w.primaries)
	var primaryKey string
	accessDecodeOutput(t, rec, "secretsKeyArn", &primaryKey)
	accessDecodeOutput(t, rec, "replicaKeyArns", &w.keys)
	w.keys[w.acct.Region] = primaryKey
	var err error
	w.keyDocs, err = rec.KeyPolicies()
	require.NoError(t, err)
	pols, err := rec.SecretPolicies()
	require.NoError(t, err)
	for _, p := range pols {
		w.resource[p.SecretArn] = p.Document
	}
	identity := func(account, role string) []json.RawMessage {
		docs, err := rec.PoliciesOfRole(account, role)
		require.NoError(t, err)
		require.NotEmpty(t, docs, "no policy of %s/%s", account, role)
		var out []json.RawMessage
		for _, d := range docs {
			out = append(out, accessSimDoc(t, d))
		}
		return out
	}
	acct, home, east, west := w.acct.ID, w.acct.Region, "us-east-1", "us-west-2"
	stage := map[string]any{"secretsmanager:VersionStage": "AWSCURRENT"}
	ring, stripe, db, session, twilio := "/prod/app/encryption-key", "/prod/app/stripe", "/prod/app/database", "/prod/app/session-key", "/prod/integrations/twilio"
	writes := []string{"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage", "secretsmanager:DeleteSecret", "secretsmanager:UpdateSecret"}

	// api: an ecs workload in the stack's region and us-east-1.
	api := w.acct.GlobalARN("iam", "role/prod-api-task")
	apiID := identity(acct, "prod-api-task")
	row := "api in eu-west-1 and us-east-1"
	for _, n := range []string{ring, stripe, db} {
		w.add(row, true, api, apiID, "secretsmanager:GetSecretValue", w.copyOf(n, home), stage)
		w.add(row, true, api, apiID, "kms:Decrypt", primaryKey, w.via(home, acct, w.copyOf(n, home)))
	}
	for _, n := range []string{ring, stripe} {
		r := w.copyOf(n, east)
		w.add(row, true, api, apiID, "secretsmanager:GetSecretValue", r, stage)
		w.add(row, true, api, apiID, "secretsmanager:DescribeSecret", r, nil)
		w.add(row, true, api, apiID, "kms:Decrypt", w.keys[east], w.via(east, acct, r))
		w.add(row+": replica key directly", false, api, apiID, "kms:Decrypt", w.keys[east], map[string]any{accessSimContextKey: r})
		w.add(row+": replica key through another region", false, api, apiID, "kms:Decrypt", w.keys[east], w.via(home, acct, r))
		w.add(row+": primary key from the replica region", false, api, apiID, "kms:Decrypt", primaryKey, w.via(east, acct, r))
		w.add(row+": primary key from the replica region", false, api, apiID, "kms:Decrypt", primaryKey, w.via(east, acct, w.copyOf(n, home)))
		for _, a := range writes {
			w.add(row+": replica writes", false, api, apiID, a, r, nil)
		}
		for _, a := range []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"} {
			w.add(row+": other key actions", false, api, apiID, a, w.keys[east], w.via(east, acct, r))
		}
	}
	w.add(row+": a region it does not run in", false, api, apiID, "secretsmanager:GetSecretValue", w.copyOf(ring, west), stage)
	w.add(row+": a region it does not run in", false, api, apiID, "kms:Decrypt", w.keys[west], w.via(west, acct, w.copyOf(ring, west)))
	w.add(row+": a replica that does not exist", false, api, apiID, "secretsmanager:GetSecretValue", w.copyOf(db, east), stage)
	w.add(row+": another secret's replica", false, api, apiID, "secretsmanager:GetSecretValue", w.copyOf(twilio, east), stage)
	w.add(row+": another secret's replica", false, api, apiID, "kms:Decrypt", w.keys[east], w.via(east, acct, w.copyOf(twilio, east)))

	// failover: an existing role in the two replica regions only.
	var failoverDoc iam.Document
	for _, p := range rec.OfType(mockrun.TypePolicy) {
		if p.Str("name") == "prod-failover-read-secrets" {
			failoverDoc, err = iam.Parse(p.Str("policy"))
			require.NoError(t, err)
		}
	}
	require.NotEmpty(t, failoverDoc.Statement)
	failover := w.acct.GlobalARN("iam", "role/failover-batch")
	failoverID := []json.RawMessage{accessSimDoc(t, failoverDoc)}
	row = "failover in us-east-1 and us-west-2"
	for _, c := range []struct{ name, region string }{{ring, east}, {ring, west}, {stripe, east}, {stripe, home}, {session, home}} {
		copy := w.copyOf(c.name, c.region)
		w.add(row, true, failover, failoverID, "secretsmanager:GetSecretValue", copy, nil)
		w.add(row, true, failover, failoverID, "kms:Decrypt", w.keys[c.region], w.via(c.region, acct, copy))
	}
	w.add(row+": a primary it reads as a replica", false, failover, failoverID, "secretsmanager:GetSecretValue", w.copyOf(ring, home), nil)
	w.add(row+": a primary it reads as a replica", false, failover, failoverID, "kms:Decrypt", primaryKey, w.via(home, acct, w.copyOf(ring, home)))
	w.add(row+": a replica that does not exist", false, failover, failoverID, "secretsmanager:GetSecretValue", w.copyOf(stripe, west), nil)
	w.add(row+": the other region's key", false, failover, failoverID, "kms:Decrypt", w.keys[west], w.via(west, acct, w.copyOf(stripe, east)))
	w.add(row+": the other region's key", false, failover, failoverID, "kms:Decrypt", w.keys[east], w.via(east, acct, w.copyOf(ring, west)))

	// notifier runs in the stack's region only.
	notifier := w.acct.GlobalARN("iam", "role/prod-notifier-lambda")
	notifierID := identity(acct, "prod-notifier-lambda")
	row = "notifier in eu-west-1 only"
	w.add(row, true, notifier, notifierID, "secretsmanager:GetSecretValue", w.copyOf(twilio, home), stage)
	w.add(row+": a replica", false, notifier, notifierID, "secretsmanager:GetSecretValue", w.copyOf(twilio, east), stage)
	w.add(row+": a replica key", false, notifier, notifierID, "kms:Decrypt", w.keys[east], w.via(east, acct, w.copyOf(twilio, east)))

	// The key ring's rotator re-encrypts its puts for its replicas.
	var rotatorRole string
	for _, p := range rec.OfType(mockrun.TypeRolePolicy) {
		if strings.Contains(p.Str("policy"), "ReplicateOwnSecretsToUsWest2") {
			rotatorRole = p.Str("role")
		}
	}
	require.NotEmpty(t, rotatorRole)
	rotator := w.acct.GlobalARN("iam", "role/"+rotatorRole)
	rotatorID := identity(acct, rotatorRole)
	row = "key ring rotator"
	for _, r := range []string{east, west} {
		replica := w.copyOf(ring, r)
		for _, a := range []string{"kms:Encrypt", "kms:GenerateDataKey"} {
			w.add(row, true, rotator, rotatorID, a, w.keys[r], w.via(r, acct, replica))
			w.add(row+": through another region", false, rotator, rotatorID, a, w.keys[r], w.via(home, acct, replica))
			w.add(row+": another secret's replica", false, rotator, rotatorID, a, w.keys[r], w.via(r, acct, w.copyOf(stripe, r)))
		}
		w.add(row+": reading a replica", false, rotator, rotatorID, "kms:Decrypt", w.keys[r], w.via(r, acct, replica))
		w.add(row+": reading a replica", false, rotator, rotatorID, "secretsmanager:GetSecretValue", replica, nil)
		w.add(row+": writing a replica", false, rotator, rotatorID, "secretsmanager:PutSecretValue", replica, nil)
	}
	w.add(row, true, rotator, rotatorID, "secretsmanager:PutSecretValue", w.copyOf(ring, home), nil)
	w.add(row+": the primary key from a replica region", false, rotator, rotatorID, "kms:GenerateDataKey", primaryKey, w.via(east, acct, w.copyOf(ring, home)))

	// Another account's principals: messaging reads in eu-west-1 and
	// us-east-1 (its side deployed here), partner-audit in us-east-1 only
	// (its side is its own: any identity policy, our two grants decide).
	org := map[string]any{"aws:PrincipalOrgID": "o-a1b2c3d4e5"}
	withOrg := func(m map[string]any) map[string]any {
		for k, v := range org {
			m[k] = v
		}
		return m
	}
	messaging := "arn:aws:iam::444455556666:role/messaging-sender"
	messagingID := identity("444455556666", "messaging-sender")
	row = "messaging (another account) in eu-west-1 and us-east-1"
	for _, r := range []string{home, east} {
		copy := w.copyOf(twilio, r)
		w.add(row, true, messaging, messagingID, "secretsmanager:GetSecretValue", copy, withOrg(map[string]any{}))
		w.add(row, true, messaging, messagingID, "kms:Decrypt", w.keys[r], withOrg(w.via(r, "444455556666", copy)))
	}
	w.add(row+": replica key through another region", false, messaging, messagingID, "kms:Decrypt", w.keys[east], withOrg(w.via(home, "444455556666", w.copyOf(twilio, east))))
	w.add(row+": a region it does not read in", false, messaging, messagingID, "kms:Decrypt", w.keys[west], withOrg(w.via(west, "444455556666", w.copyOf(twilio, west))))
	w.add(row+": replica writes", false, messaging, messagingID, "secretsmanager:PutSecretValue", w.copyOf(twilio, east), withOrg(map[string]any{}))
	anything := []json.RawMessage{json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}
	auditor := "arn:aws:iam::555566667777:role/audit/secret-auditor"
	partner := "/prod/integrations/partner"
	row = "partner-audit (another account) in us-east-1 only"
	w.add(row, true, auditor, anything, "secretsmanager:GetSecretValue", w.copyOf(partner, east), nil)
	w.add(row, true, auditor, anything, "kms:Decrypt", w.keys[east], w.via(east, "555566667777", w.copyOf(partner, east)))
	w.add(row+": the primary", false, auditor, anything, "secretsmanager:GetSecretValue", w.copyOf(partner, home), nil)
	w.add(row+": the primary key", false, auditor, anything, "kms:Decrypt", primaryKey, w.via(home, "555566667777", w.copyOf(partner, home)))
	w.add(row+": the replica key through another region", false, auditor, anything, "kms:Decrypt", w.keys[east], w.via(home, "555566667777", w.copyOf(partner, east)))
	w.add(row+": writes", false, auditor, anything, "secretsmanager:PutSecretValue", w.copyOf(partner, east), nil)

	reqs := make([]testenv.IAMRequest, len(w.probes))
	for i, p := range w.probes {
		reqs[i] = p.req
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	got, err := sim.Evaluate(ctx, reqs)
	require.NoError(t, err)
	allowed, denied, wrong := 0, 0, 0
	rows := map[string][2]int{}
	for i, d := range got {
		p := w.probes[i]
		require.Empty(t, d.Error, p.req.Name)
		require.Empty(t, d.IgnoredContextKeys, "%s: ignored context keys %v", p.req.Name, d.IgnoredContextKeys)
		ok := d.Result == accessAllowed
		c := rows[p.row]
		if ok {
			allowed++
			c[0]++
		} else {
			denied++
			c[1]++
		}
		rows[p.row] = c
		if !assert.Equal(t, p.allow, ok, "%s: got %s", p.req.Name, d.Result) {
			wrong++
		}
	}
	var lines []string
	for _, r := range slices.Sorted(maps.Keys(rows)) {
		lines = append(lines, fmt.Sprintf("  %-70s %3d allowed %3d denied", r, rows[r][0], rows[r][1]))
	}
	t.Logf("replica readers: %d decisions (%d allowed, %d denied), %d wrong\n%s", len(got), allowed, denied, wrong, strings.Join(lines, "\n"))
	assert.Zero(t, wrong)
}
