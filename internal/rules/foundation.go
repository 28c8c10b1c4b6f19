package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
)

func foundationRules() []Rule {
	return []Rule{
		{ID: 1, Title: "every secret is encrypted with a customer-managed KMS key", Check: checkSecretsUseCMK},
		{ID: 3, Title: "KMS keys: rotation, explicit policy, enabled, lockout check kept, 30-day deletion window in strict stacks", Check: checkKeySettings},
		{ID: 4, Title: "no key-policy statement with a * principal or a wildcard action; explicit action lists", Check: checkKeyPolicies},
		{ID: 15, Title: "data-loss guards: protect, recovery windows, write-once values", Check: checkDataLossGuards},
		{ID: 16, Title: "no secret value in plain text in inputs or outputs", Check: checkNoPlaintextSecrets},
	}
}

func foundationExceptions() []Exception { return nil }

// keyARNs are the ARNs of the customer-managed keys the program created.
func keyARNs(rec *mockrun.Recording) []string {
	var arns []string
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		arns = append(arns, k.StateStr("arn"))
	}
	return arns
}

func checkSecretsUseCMK(rec *mockrun.Recording) []Violation {
	cmks := keyARNs(rec)
	var out []Violation
	for _, s := range rec.OfType(mockrun.TypeSecret) {
		if k := s.Str("kmsKeyId"); !slices.Contains(cmks, k) {
			out = append(out, violation(1, s, "kmsKeyId %q is not a customer-managed key of this stack", k))
		}
	}
	for _, db := range rec.OfType(mockrun.TypeRDSInstance) {
		if k := db.Str("masterUserSecretKmsKeyId"); !slices.Contains(cmks, k) {
			out = append(out, violation(1, db, "the RDS-managed master secret is encrypted with %q, not a customer-managed key", k))
		}
	}
	return out
}

func checkKeySettings(rec *mockrun.Recording) []Violation {
	var out []Violation
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		if on, _ := k.Bool("enableKeyRotation"); !on {
			out = append(out, violation(3, k, "enableKeyRotation is not true"))
		}
		if k.Str("policy") == "" {
			out = append(out, violation(3, k, "no explicit key policy"))
		}
		if enabled, set := k.Bool("isEnabled"); set && !enabled {
			out = append(out, violation(3, k, "the key is disabled"))
		}
		if bypass, _ := k.Bool("bypassPolicyLockoutSafetyCheck"); bypass {
			out = append(out, violation(3, k, "bypassPolicyLockoutSafetyCheck is true"))
		}
		days, _ := k.Int("deletionWindowInDays")
		switch {
		case rec.Strict && days != 30:
			out = append(out, violation(3, k, "deletionWindowInDays = %d, want 30 in a strict stack", days))
		case days < 7 || days > 30:
			out = append(out, violation(3, k, "deletionWindowInDays = %d, want 7-30", days))
		}
	}
	return out
}

func checkKeyPolicies(rec *mockrun.Recording) []Violation {
	var out []Violation
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		doc, err := iam.Parse(k.Str("policy"))
		if err != nil {
			out = append(out, violation(4, k, "key policy does not parse: %v", err))
			continue
		}
		for _, st := range doc.Statement {
			out = append(out, keyStatementViolations(k, st)...)
		}
	}
	return out
}

func keyStatementViolations(k mockrun.Resource, st iam.Statement) []Violation {
	var out []Violation
	sid := st.Sid
	if sid == "" {
		out = append(out, violation(4, k, "a key-policy statement has no Sid (reviewers cannot tell what it is for)"))
	}
	if st.Principal == nil || st.Principal.Any || slices.Contains(st.Principal.AWS, "*") {
		out = append(out, violation(4, k, "statement %s has a * principal", sid))
	}
	for _, a := range st.Action {
		if strings.Contains(a, "*") {
			out = append(out, violation(4, k, "statement %s has the wildcard action %q; key policies list actions explicitly", sid, a))
		}
	}
	if st.Principal != nil && len(st.Principal.Service) > 0 && len(st.Condition) == 0 {
		out = append(out, violation(4, k, "service statement %s is not conditioned on its source", sid))
	}
	return out
}

func checkDataLossGuards(rec *mockrun.Recording) []Violation {
	var out []Violation
	if rec.Strict {
		for _, typ := range []string{mockrun.TypeKMSKey, mockrun.TypeSecret, mockrun.TypeSecretVersion, mockrun.TypeRDSInstance} {
			for _, r := range rec.OfType(typ) {
				if !r.Protect {
					out = append(out, violation(15, r, "not protected in a strict stack"))
				}
			}
		}
	}
	for _, s := range rec.OfType(mockrun.TypeSecret) {
		days, _ := s.Int("recoveryWindowInDays")
		switch {
		case days == 0 && rec.Strict:
			out = append(out, violation(15, s, "recoveryWindowInDays = 0 in a strict stack"))
		case days != 0 && (days < 7 || days > 30):
			out = append(out, violation(15, s, "recoveryWindowInDays = %d, want 7-30 (or 0 when disposable)", days))
		}
	}
	for _, v := range rec.OfType(mockrun.TypeSecretVersion) {
		if !slices.Contains(v.IgnoreChanges, "secretString") {
			out = append(out, violation(15, v, "secretString is not in ignoreChanges: a later pulumi up would overwrite a rotated value"))
		}
	}
	return out
}

// checkNoPlaintextSecrets gathers every secret-marked string (generated
// passwords and keys, secret config, secret versions) and fails on any input
// or stack output that carries one of them unmarked.
func checkNoPlaintextSecrets(rec *mockrun.Recording) []Violation {
	secrets := map[string]bool{}
	for _, r := range rec.Resources {
		collectSecrets(resource.NewObjectProperty(r.Inputs), false, secrets)
		collectSecrets(resource.NewObjectProperty(r.State), false, secrets)
	}
	var out []Violation
	for _, r := range rec.Resources {
		for _, leak := range plaintextLeaks(resource.NewObjectProperty(r.Inputs), secrets) {
			out = append(out, violation(16, r, "input carries a secret value unmarked (%s)", leak))
		}
	}
	for name, o := range rec.Outputs {
		if o.Secret {
			continue
		}
		if s := fmt.Sprint(o.Value); containsAny(s, secrets) {
			out = append(out, Violation{Rule: 16, Resource: "stack output " + name, Message: "carries a secret value unmarked"})
		}
	}
	for _, v := range rec.OfType(mockrun.TypeSecretVersion) {
		if !v.Secret("secretString") {
			out = append(out, violation(16, v, "secretString input is not marked secret"))
		}
	}
	return out
}

func collectSecrets(v resource.PropertyValue, inSecret bool, into map[string]bool) {
	switch {
	case v.IsSecret():
		collectSecrets(v.SecretValue().Element, true, into)
	case v.IsOutput():
		collectSecrets(v.OutputValue().Element, inSecret || v.OutputValue().Secret, into)
	case v.IsString():
		// Short strings ("true", "k1") would match everywhere; secrets are long.
		if inSecret && len(v.StringValue()) >= 16 {
			into[v.StringValue()] = true
		}
	case v.IsArray():
		for _, e := range v.ArrayValue() {
			collectSecrets(e, inSecret, into)
		}
	case v.IsObject():
		for _, e := range v.ObjectValue() {
			collectSecrets(e, inSecret, into)
		}
	}
}

// plaintextLeaks returns the keys of unmarked strings that contain a secret.
func plaintextLeaks(v resource.PropertyValue, secrets map[string]bool) []string {
	var leaks []string
	var walk func(resource.PropertyValue, string)
	walk = func(v resource.PropertyValue, path string) {
		switch {
		case v.IsSecret():
			return
		case v.IsOutput():
			if !v.OutputValue().Secret {
				walk(v.OutputValue().Element, path)
			}
		case v.IsString():
			if containsAny(v.StringValue(), secrets) {
				leaks = append(leaks, path)
			}
		case v.IsArray():
			for i, e := range v.ArrayValue() {
				walk(e, fmt.Sprintf("%s[%d]", path, i))
			}
		case v.IsObject():
			for k, e := range v.ObjectValue() {
				walk(e, strings.TrimPrefix(path+"."+string(k), "."))
			}
		}
	}
	walk(v, "")
	return leaks
}

func containsAny(s string, secrets map[string]bool) bool {
	for sec := range secrets {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}
