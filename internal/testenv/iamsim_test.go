package testenv

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

const (
	appAccount      = "111111111111"
	consumerAccount = "222222222222"
	secretARN       = "arn:aws:secretsmanager:us-east-1:111111111111:secret:/prod/app/db-AbCdEf"
	otherSecretARN  = "arn:aws:secretsmanager:us-east-1:111111111111:secret:/prod/app/api-GhIjKl"
	appRole         = "arn:aws:iam::111111111111:role/app"
	consumerRole    = "arn:aws:iam::222222222222:role/consumer"
)

// allowGet is a policy document allowing GetSecretValue on one secret,
// naming principal when it is a resource policy.
func allowGet(t *testing.T, principal, resource string) json.RawMessage {
	t.Helper()
	stmt := map[string]any{
		"Effect":   "Allow",
		"Action":   "secretsmanager:GetSecretValue",
		"Resource": resource,
	}
	if principal != "" {
		stmt["Principal"] = map[string]any{"AWS": principal}
	}
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}})
	if err != nil {
		t.Fatalf("marshal policy: %v", err)
	}
	return doc
}

func TestIAMSimEvaluate(t *testing.T) {
	sim := NewIAMSim(t)
	tests := []struct {
		req  IAMRequest
		want string
	}{
		{
			req: IAMRequest{
				Name: "same account, allowed ARN", Principal: appRole,
				Action: "secretsmanager:GetSecretValue", Resource: secretARN,
				IdentityPolicies: []json.RawMessage{allowGet(t, "", secretARN)},
			},
			want: "Allowed",
		},
		{
			req: IAMRequest{
				Name: "same account, other ARN", Principal: appRole,
				Action: "secretsmanager:GetSecretValue", Resource: otherSecretARN,
				IdentityPolicies: []json.RawMessage{allowGet(t, "", secretARN)},
			},
			want: "ImplicitlyDenied",
		},
		{
			req: IAMRequest{
				Name: "same account, resource policy only", Principal: appRole,
				Action: "secretsmanager:GetSecretValue", Resource: secretARN,
				ResourcePolicy: allowGet(t, appRole, secretARN),
			},
			want: "Allowed",
		},
		{
			req: IAMRequest{
				Name: "cross account, identity policy only", Principal: consumerRole,
				Action: "secretsmanager:GetSecretValue", Resource: secretARN, ResourceAccount: appAccount,
				IdentityPolicies: []json.RawMessage{allowGet(t, "", secretARN)},
			},
			want: "ImplicitlyDenied",
		},
		{
			req: IAMRequest{
				Name: "cross account, identity and resource policy", Principal: consumerRole,
				Action: "secretsmanager:GetSecretValue", Resource: secretARN, ResourceAccount: appAccount,
				IdentityPolicies: []json.RawMessage{allowGet(t, "", secretARN)},
				ResourcePolicy:   allowGet(t, consumerRole, secretARN),
			},
			want: "Allowed",
		},
		{
			req: IAMRequest{
				Name: "cross account, resource policy only", Principal: consumerRole,
				Action: "secretsmanager:GetSecretValue", Resource: secretARN, ResourceAccount: appAccount,
				ResourcePolicy: allowGet(t, consumerRole, secretARN),
			},
			want: "ImplicitlyDenied",
		},
		{
			req: IAMRequest{
				Name: "cross account, resource policy names another account", Principal: consumerRole,
				Action: "secretsmanager:GetSecretValue", Resource: secretARN, ResourceAccount: appAccount,
				IdentityPolicies: []json.RawMessage{allowGet(t, "", secretARN)},
				ResourcePolicy:   allowGet(t, "arn:aws:iam::333333333333:root", secretARN),
			},
			want: "ImplicitlyDenied",
		},
	}
	reqs := make([]IAMRequest, len(tests))
	for i, tt := range tests {
		reqs[i] = tt.req
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got, err := sim.Evaluate(ctx, reqs)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if len(got) != len(tests) {
		t.Fatalf("decisions: got %d, want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.req.Name, func(t *testing.T) {
			d := got[i]
			if d.Name != tt.req.Name {
				t.Errorf("Name: got %q, want %q (order must be kept)", d.Name, tt.req.Name)
			}
			if d.Error != "" {
				t.Fatalf("Error: got %q, want none", d.Error)
			}
			if d.Result != tt.want {
				t.Errorf("Result: got %q, want %q", d.Result, tt.want)
			}
		})
	}
}

func TestIAMSimReportsProblems(t *testing.T) {
	sim := NewIAMSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got, err := sim.Evaluate(ctx, []IAMRequest{
		{
			Name: "invalid policy", Principal: appRole,
			Action: "secretsmanager:GetSecretValue", Resource: secretARN,
			IdentityPolicies: []json.RawMessage{json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`)},
		},
		{
			Name: "dropped context key", Principal: appRole,
			Action: "secretsmanager:GetSecretValue", Resource: secretARN,
			IdentityPolicies: []json.RawMessage{allowGet(t, "", secretARN)},
			Context:          map[string]any{"kms:EncryptionContext:SecretARN": secretARN},
		},
	})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("decisions: got %d, want 2", len(got))
	}
	if got[0].Error == "" || got[0].Result != "" {
		t.Errorf("invalid policy: got result %q error %q, want an error and no result", got[0].Result, got[0].Error)
	}
	if len(got[1].IgnoredContextKeys) != 1 || got[1].IgnoredContextKeys[0] != "kms:EncryptionContext:SecretARN" {
		t.Errorf("dropped context key: got IgnoredContextKeys %v, want [kms:EncryptionContext:SecretARN]", got[1].IgnoredContextKeys)
	}
}
