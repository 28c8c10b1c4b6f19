package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

// replicaRecording runs the variant of prod with replicas (strict).
func replicaRecording(t *testing.T) *mockrun.Recording {
	t.Helper()
	return variantRecording(t, mockrun.VariantReplicas)
}

// variantRecording runs a variant of prod (mockrun.Variants) by its suffix,
// and requires it to be clean before a test breaks it on purpose.
func variantRecording(t *testing.T, suffix string) *mockrun.Recording {
	t.Helper()
	prod, err := mockrun.LoadStack("../..", "prod")
	require.NoError(t, err)
	variants, err := mockrun.Variants(prod)
	require.NoError(t, err)
	i := slices.IndexFunc(variants, func(v mockrun.Stack) bool { return v.Name == "prod"+suffix })
	require.GreaterOrEqual(t, i, 0, "no variant prod%s", suffix)
	rec, err := mockrun.Run(variants[i], stack.Compose)
	require.NoError(t, err)
	require.Empty(t, rules.Check(rec), "prod%s is clean before it is broken on purpose", suffix)
	return rec
}

// brokenWhere returns a copy of rec whose first resource matching is changed.
func brokenWhere(rec *mockrun.Recording, match func(mockrun.Resource) bool, edit func(*mockrun.Resource)) *mockrun.Recording {
	out := *rec
	out.Resources = slices.Clone(rec.Resources)
	for i, r := range out.Resources {
		if match(r) {
			r.Inputs = r.Inputs.Copy()
			edit(&r)
			out.Resources[i] = r
			return &out
		}
	}
	return &out
}

// hasSid matches a role policy holding a statement whose Sid starts with prefix.
func hasSid(prefix string) func(mockrun.Resource) bool {
	return func(r mockrun.Resource) bool {
		return r.Type == mockrun.TypeRolePolicy && strings.Contains(r.Str("policy"), `"Sid": "`+prefix)
	}
}

// editSid changes the statements whose Sid starts with prefix.
func editSid(t *testing.T, prefix string, edit func(*iam.Statement)) func(*mockrun.Resource) {
	return editPolicy(t, func(d *iam.Document) {
		for i := range d.Statement {
			if strings.HasPrefix(d.Statement[i].Sid, prefix) {
				edit(&d.Statement[i])
			}
		}
	})
}

// TestReplicaRulesCatchEachBreak: every rule holds per region, and each
// place a replica could slip is shown to fire on a recording broken on
// purpose: a replica on another region's key, a rotator that reads a
// replica or uses a key through another region's Secrets Manager, a reader
// decrypting a replica key through the primary's region, a share naming a
// copy the stack does not have, a forwarder that delivers nowhere.
func TestReplicaRulesCatchEachBreak(t *testing.T) {
	rec := replicaRecording(t)
	replicated := func(r mockrun.Resource) bool { return r.Type == mockrun.TypeSecret && len(r.Replicas()) > 0 }
	primaryVia := "secretsmanager." + rec.Region + ".amazonaws.com"
	cases := []struct {
		name string
		rec  *mockrun.Recording
		rule int
		want string
	}{
		{"a replica under the primary's key", brokenWhere(rec, replicated, func(r *mockrun.Resource) {
			r.Inputs["replicas"] = resource.NewPropertyValue([]any{map[string]any{"region": "us-east-1", "kmsKeyId": r.Str("kmsKeyId")}})
		}), 1, "not a customer-managed key of this stack in us-east-1"},
		{"a replica without a key (aws/secretsmanager there)", brokenWhere(rec, replicated, func(r *mockrun.Resource) {
			r.Inputs["replicas"] = resource.NewPropertyValue([]any{map[string]any{"region": "us-east-1"}})
		}), 1, "not a customer-managed key"},
		{"a rotator reading a replica", brokenWhere(rec, hasSid("ReplicateOwnSecretsTo"), editSid(t, "ReplicateOwnSecretsTo", func(s *iam.Statement) {
			s.Action = append(s.Action, "kms:Decrypt")
		})), 12, "a rotator only encrypts new versions for the replicas there"},
		{"a replica key through the primary's Secrets Manager", brokenWhere(rec, hasSid("ReplicateOwnSecretsTo"), editSid(t, "ReplicateOwnSecretsTo", func(s *iam.Statement) {
			s.Condition["StringEquals"]["kms:ViaService"] = iam.Strings{primaryVia}
		})), 12, "want Secrets Manager of"},
		{"a replica key for another secret's replica", brokenWhere(rec, hasSid("ReplicateOwnSecretsTo"), editSid(t, "ReplicateOwnSecretsTo", func(s *iam.Statement) {
			other := iam.ARNInRegion(s.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"][0], "us-east-1")
			s.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"] = iam.Strings{strings.Replace(other, "/prod/", "/other/", 1)}
		})), 12, "not a replica in"},
		{"the primary's key through a replica region's Secrets Manager", brokenWhere(rec, hasSid("EncryptOwnSecretViaSecretsManager"), editSid(t, "EncryptOwnSecretViaSecretsManager", func(s *iam.Statement) {
			s.Condition["StringEquals"]["kms:ViaService"] = iam.Strings{"secretsmanager.us-east-1.amazonaws.com"}
		})), 12, "another region than the key's"},
		{"a reader decrypting a replica key through the primary's region", brokenWhere(rec, hasSid("DecryptThroughSecretsManagerInUsEast1"), editSid(t, "DecryptThroughSecretsManagerInUsEast1", func(s *iam.Statement) {
			s.Condition["StringEquals"]["kms:ViaService"] = iam.Strings{primaryVia}
		})), 5, "want [secretsmanager.us-east-1.amazonaws.com]"},
		{"a share naming a replica the secret does not have", brokenWhere(rec, func(r mockrun.Resource) bool { return r.Type == mockrun.TypeSecretPolicy },
			editPolicy(t, func(d *iam.Document) {
				d.Statement[0].Resource = append(d.Statement[0].Resource, iam.ARNInRegion(d.Statement[0].Resource[0], "ap-southeast-2"))
			})), 10, "which is not a copy"},
		{"a forwarder that delivers nowhere", brokenWhere(rec, func(r mockrun.Resource) bool {
			return r.Type == mockrun.TypeEventTarget && r.Region != rec.Region
		}, func(r *mockrun.Resource) {
			r.Inputs["arn"] = resource.NewPropertyValue("arn:aws:events:us-east-1:999988887777:event-bus/default")
		}), 2, "has no target on an alert topic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vs := rules.Check(tc.rec)
			i := slices.IndexFunc(vs, func(v rules.Violation) bool { return v.Rule == tc.rule && strings.Contains(v.Message, tc.want) })
			assert.GreaterOrEqual(t, i, 0, "want rule %d %q, got %v", tc.rule, tc.want, vs)
		})
	}
}
