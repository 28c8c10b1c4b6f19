package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// IAMRequest is one authorization question for the IAM policy simulator:
// may Principal call Action on Resource, given these policies and context?
type IAMRequest struct {
	// Name identifies the request in the matching IAMDecision.
	Name string `json:"name"`
	// Principal is the caller's ARN, e.g. arn:aws:iam::111111111111:role/app.
	Principal string `json:"principal"`
	// Action is the IAM action, e.g. secretsmanager:GetSecretValue.
	Action string `json:"action"`
	// Resource is the ARN acted on.
	Resource string `json:"resource"`
	// ResourceAccount is the account that owns Resource. Optional: the
	// resource ARN's account, else the principal's account, is used. When it
	// differs from the principal's account the request is cross-account and
	// both the identity and the resource policy must allow it.
	ResourceAccount string `json:"resourceAccount,omitempty"`
	// IdentityPolicies are the policy documents attached to the principal.
	IdentityPolicies []json.RawMessage `json:"identityPolicies"`
	// ResourcePolicy is the resource's policy document (secret resource
	// policy, key policy), if any.
	ResourcePolicy json.RawMessage `json:"resourcePolicy,omitempty"`
	// Context holds request context keys, e.g. "kms:ViaService",
	// "aws:PrincipalOrgID". aws:PrincipalArn and aws:PrincipalAccount are
	// derived from Principal unless set here. Scalars are sent as strings,
	// slices as string lists.
	Context map[string]any `json:"context,omitempty"`
}

// IAMDecision is the simulator's answer to one IAMRequest.
type IAMDecision struct {
	// Name is the Name of the request.
	Name string `json:"name"`
	// Result is "Allowed", "ImplicitlyDenied" or "ExplicitlyDenied"; "" when
	// Error is set.
	Result string `json:"result"`
	// Error says why the request could not be simulated (invalid policy,
	// unknown action or resource type); "" otherwise.
	Error string `json:"error"`
	// IgnoredContextKeys lists Context keys the simulator dropped because it
	// does not know them for this action (kms:EncryptionContext:<key> is one).
	// A test whose condition uses such a key is not testing what it thinks.
	IgnoredContextKeys []string `json:"ignoredContextKeys,omitempty"`
}

// IAMSim evaluates IAM requests with @cloud-copilot/iam-simulate, run by
// tools/iamsim/evaluate.mjs as a separate process because it is AGPL-licensed
// and test-only.
type IAMSim struct {
	// Dir is the tools/iamsim directory.
	Dir string
}

// NewIAMSim finds tools/iamsim and checks that node and the installed
// simulator are there, failing the test with the command that fixes it.
func NewIAMSim(t testing.TB) *IAMSim {
	t.Helper()
	s, err := findIAMSim()
	if err != nil {
		t.Fatalf("%v", err)
	}
	return s
}

// findIAMSim does NewIAMSim's checks and returns errors instead of failing.
func findIAMSim() (*IAMSim, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, fmt.Errorf("find tools/iamsim: %w", err)
	}
	dir := filepath.Join(root, "tools", "iamsim")
	if _, err := os.Stat(filepath.Join(dir, "evaluate.mjs")); err != nil {
		return nil, fmt.Errorf("find tools/iamsim/evaluate.mjs: %w", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, fmt.Errorf("find node: %w; install Node 20 (it is preinstalled on this kind of machine; on Debian: apt-get install nodejs)", err)
	}
	pkg := filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")
	if _, err := os.Stat(pkg); err != nil {
		return nil, fmt.Errorf("find the IAM simulator in tools/iamsim/node_modules: %w; run: npm ci --prefix tools/iamsim (from the repository root)", err)
	}
	return &IAMSim{Dir: dir}, nil
}

// Evaluate runs one node process for the whole batch and returns one decision
// per request, in order. A request the simulator rejects comes back with
// Error set; the returned error means the batch itself could not run.
func (s *IAMSim) Evaluate(ctx context.Context, reqs []IAMRequest) ([]IAMDecision, error) {
	if reqs == nil {
		reqs = []IAMRequest{}
	}
	in, err := json.Marshal(reqs)
	if err != nil {
		return nil, fmt.Errorf("encode IAM requests: %w", err)
	}
	cmd := exec.CommandContext(ctx, "node", "evaluate.mjs")
	cmd.Dir = s.Dir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run tools/iamsim/evaluate.mjs: %w: %s", err, tail(stderr.String(), 2000))
	}
	var out []IAMDecision
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("decode IAM decisions: %w", err)
	}
	if len(out) != len(reqs) {
		return nil, fmt.Errorf("decode IAM decisions: got %d for %d requests", len(out), len(reqs))
	}
	return out, nil
}
