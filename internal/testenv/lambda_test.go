package testenv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildEchoBootstrap builds the testdata runtime. It is its own module, so it
// is built from its directory rather than through BuildBootstrap, which
// builds packages of the root module.
func buildEchoBootstrap(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "echobootstrap"))
	if err != nil {
		t.Fatalf("resolve fixture dir: %v", err)
	}
	bootstrap, err := buildBootstrap(context.Background(), dir, ".", t.TempDir())
	if err != nil {
		t.Fatalf("%v", err)
	}
	return bootstrap
}

func TestLambdaInvoke(t *testing.T) {
	l := NewLambda(t, buildEchoBootstrap(t), []string{"ECHO_SETTING=1"})

	tests := []struct {
		name        string
		payload     string
		wantPayload string // "" means do not compare
		wantError   string
	}{
		{name: "echo", payload: `{"hello":"world"}`, wantPayload: `{"hello":"world"}`},
		{name: "echo again", payload: `{"n":2}`, wantPayload: `{"n":2}`},
		{name: "function error", payload: `{"fail":true}`, wantError: "EchoError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			got, err := l.Invoke(ctx, []byte(tt.payload))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if got.FunctionError != tt.wantError {
				t.Errorf("FunctionError: got %q, want %q", got.FunctionError, tt.wantError)
			}
			if tt.wantPayload != "" && string(got.Payload) != tt.wantPayload {
				t.Errorf("Payload: got %s, want %s", got.Payload, tt.wantPayload)
			}
		})
	}

	// Three invocations of one sandbox: exactly one cold start.
	if got := l.InitDurations(); len(got) != 1 {
		t.Errorf("InitDurations: got %v, want exactly one entry", got)
	} else if got[0] <= 0 {
		t.Errorf("InitDurations[0]: got %v, want > 0", got[0])
	}
}

func TestParseInitDurations(t *testing.T) {
	tests := []struct {
		name string
		log  string
		want []time.Duration
	}{
		{name: "none", log: "REPORT RequestId: a\tDuration: 1.00 ms\t\n", want: nil},
		{
			name: "the REPORT line's Init Duration is not the init phase",
			log:  "REPORT RequestId: a\tInit Duration: 0.03 ms\tDuration: 1.00 ms\n",
			want: nil,
		},
		{
			name: "two cold starts",
			log: "29 Nov 2026 18:59:57,339 [INFO] (rapid) INIT REPORT(durationMs: 12.500000)\n" +
				"REPORT RequestId: a\tInit Duration: 0.03 ms\tDuration: 1.00 ms\n" +
				"REPORT RequestId: b\tDuration: 2.00 ms\n" +
				"29 Nov 2026 18:59:58,001 [INFO] (rapid) INIT REPORT(durationMs: 3)\n",
			want: []time.Duration{12500 * time.Microsecond, 3 * time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseInitDurations(tt.log)
			if len(got) != len(tt.want) {
				t.Fatalf("len: got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("[%d]: got %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestLambdaRuntimeExitIsAnError(t *testing.T) {
	// A runtime that exits during init is a sandbox failure, which the
	// emulator answers with a bare 502: Invoke must say why.
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(bootstrap, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatalf("write bootstrap: %v", err)
	}
	l := NewLambda(t, bootstrap, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := l.Invoke(ctx, []byte(`{}`))
	if err == nil {
		t.Fatalf("Invoke: got no error, want one for a runtime that exited")
	}
	if want := "exit status 3"; !strings.Contains(err.Error(), want) {
		t.Errorf("Invoke error: got %q, want it to contain %q", err, want)
	}
}

func TestBuildArgsAddTagsToTheDeployBuild(t *testing.T) {
	tests := []struct {
		name string
		tags []string
		want string
	}{
		{name: "deployed build", want: "lambda.norpc"},
		{name: "test build", tags: []string{"rotatortest"}, want: "lambda.norpc,rotatortest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := buildArgs("./cmd/x", "/tmp/out/bootstrap", tt.tags)
			got := ""
			for i, a := range args {
				if a == "-tags" && i+1 < len(args) {
					got = args[i+1]
				}
			}
			if got != tt.want {
				t.Errorf("-tags: got %q, want %q (args %v)", got, tt.want, args)
			}
			if args[len(args)-1] != "./cmd/x" {
				t.Errorf("last argument: got %q, want the package", args[len(args)-1])
			}
		})
	}
}
