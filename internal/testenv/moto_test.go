package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// callSecretsManager calls one Secrets Manager JSON API action on moto. Moto
// does not check SigV4, so a well-formed dummy Authorization header is enough.
func callSecretsManager(t *testing.T, m *Moto, action string, in any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("marshal %s input: %v", action, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("build %s request: %v", action, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager."+action)
	req.Header.Set("X-Amz-Date", "20260101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("call %s: %v", action, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s response: %v", action, err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode %s response (status %d): %v", action, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func TestMotoSecretsManagerRoundTripAndReset(t *testing.T) {
	m := NewMoto(t)
	const name = "/test/app/db"
	// The value is a test constant, never printed: failures compare, not show.
	const value = "not-a-real-secret-value"

	status, created := callSecretsManager(t, m, "CreateSecret", map[string]any{"Name": name, "SecretString": value})
	if status != http.StatusOK {
		t.Fatalf("CreateSecret status: got %d, want 200 (%v)", status, created["__type"])
	}
	if got, ok := created["Name"].(string); !ok || got != name {
		t.Errorf("CreateSecret Name: got %q, want %q", got, name)
	}

	status, got := callSecretsManager(t, m, "GetSecretValue", map[string]any{"SecretId": name, "VersionStage": "AWSCURRENT"})
	if status != http.StatusOK {
		t.Fatalf("GetSecretValue status: got %d, want 200 (%v)", status, got["__type"])
	}
	if s, _ := got["SecretString"].(string); s != value {
		t.Errorf("GetSecretValue SecretString: got a different value (len %d), want the stored one (len %d)", len(s), len(value))
	}

	if err := m.Reset(); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	status, gone := callSecretsManager(t, m, "GetSecretValue", map[string]any{"SecretId": name})
	if status == http.StatusOK {
		t.Errorf("GetSecretValue after Reset status: got 200, want an error status")
	}
	if typ, _ := gone["__type"].(string); typ != "ResourceNotFoundException" {
		t.Errorf("GetSecretValue after Reset error: got %q, want ResourceNotFoundException", typ)
	}
}

func TestMotoEnv(t *testing.T) {
	m := &Moto{Endpoint: "http://127.0.0.1:1234", Region: "us-east-1"}
	want := map[string]bool{
		"AWS_ENDPOINT_URL=http://127.0.0.1:1234": true,
		"AWS_ACCESS_KEY_ID=testing":              true,
		"AWS_SECRET_ACCESS_KEY=testing":          true,
		"AWS_REGION=us-east-1":                   true,
		"AWS_DEFAULT_REGION=us-east-1":           true,
	}
	got := m.Env()
	if len(got) != len(want) {
		t.Errorf("Env length: got %d, want %d (%v)", len(got), len(want), got)
	}
	for _, kv := range got {
		if !want[kv] {
			t.Errorf("Env: got unexpected entry %q", kv)
		}
	}
}

func TestMotoStopEndsServer(t *testing.T) {
	m, stop, err := StartMoto()
	if err != nil {
		t.Fatalf("StartMoto: %v", err)
	}
	stop()
	client := &http.Client{Timeout: time.Second}
	if resp, err := client.Get(m.Endpoint + "/moto-api/"); err == nil {
		resp.Body.Close()
		t.Errorf("GET after stop: got status %s, want a connection error", resp.Status)
	}
	stop() // a second stop must not block or panic
}
