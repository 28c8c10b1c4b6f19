package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Lambda is a compiled Lambda bootstrap running under aws-lambda-rie, the
// emulator of the Lambda invoke API and Runtime API.
type Lambda struct {
	// URL is the invoke endpoint,
	// http://127.0.0.1:PORT/2015-03-31/functions/function/invocations.
	URL string

	proc *process
	// mu serialises Invoke: aws-lambda-rie runs one invocation at a time and
	// answers a concurrent one with HTTP 400.
	mu sync.Mutex
}

// InvokeResult is the outcome of one invocation.
type InvokeResult struct {
	// Payload is the function's response, or its error document on failure.
	Payload []byte
	// FunctionError is "" on success; on failure it is the error payload's
	// errorType, or the X-Amz-Function-Error header when the payload has none.
	FunctionError string
}

// rieVersion is the aws-lambda-rie this repository is tested with.
const rieVersion = "v0.0.0-20261030222936-bef5c4ba774d"

// rieHint says how to install a missing aws-lambda-rie.
const rieHint = "install it with: go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@" + rieVersion + " (about 1 min)"

// invokePath is the only function path aws-lambda-rie serves.
const invokePath = "/2015-03-31/functions/function/invocations"

// lambdaStartAttempts is how often StartLambda tries new ports after
// aws-lambda-rie exits early, which is what a lost FreePort race looks like.
const lambdaStartAttempts = 3

// initDurationRE matches the line aws-lambda-rie prints when a function's
// init phase ends: "INIT REPORT(durationMs: 7.735000)". (Its REPORT line's
// "Init Duration" field is not the init phase in this emulator: it reads a
// few hundredths of a millisecond whatever the function does at start.)
var initDurationRE = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9]+(?:\.[0-9]+)?)\)`)

// StartLambda runs `aws-lambda-rie <bootstrap>` with env (plus PATH, HOME and
// TMPDIR, and nothing else from the test's environment, so that no real AWS
// setting leaks into the function) and waits until the invoke endpoint
// accepts connections. Both the invoke API and the Runtime API that the
// bootstrap talks to listen on free ports of 127.0.0.1: the emulator's
// defaults (0.0.0.0:8080 and 127.0.0.1:9001) would expose it and make
// parallel test processes collide. The function's init runs on the first
// Invoke. The stop function kills the process group and waits.
func StartLambda(bootstrap string, env []string) (*Lambda, func(), error) {
	rie, err := findRIE()
	if err != nil {
		return nil, nil, err
	}
	abs, err := filepath.Abs(bootstrap)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve bootstrap path: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, nil, fmt.Errorf("stat bootstrap: %w", err)
	}
	var lastErr error
	for range lambdaStartAttempts {
		l, stop, err := startLambdaOnce(rie, abs, env)
		if err == nil {
			return l, stop, nil
		}
		lastErr = err
		if !errors.As(err, new(*earlyExitError)) {
			break
		}
	}
	return nil, nil, lastErr
}

// startLambdaOnce makes one attempt on one pair of ports.
func startLambdaOnce(rie, bootstrap string, env []string) (*Lambda, func(), error) {
	invokePort, err := FreePort()
	if err != nil {
		return nil, nil, fmt.Errorf("start aws-lambda-rie: %w", err)
	}
	apiPort, err := FreePort()
	if err != nil {
		return nil, nil, fmt.Errorf("start aws-lambda-rie: %w", err)
	}
	invokeAddr := "127.0.0.1:" + strconv.Itoa(invokePort)
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort),
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append(baseEnv(), env...)
	p, err := startProcess(cmd)
	if err != nil {
		return nil, nil, fmt.Errorf("start aws-lambda-rie: %w", err)
	}
	ready := func() error {
		conn, err := net.DialTimeout("tcp", invokeAddr, time.Second)
		if err != nil {
			return err
		}
		return conn.Close()
	}
	if err := p.waitReady(20*time.Second, ready); err != nil {
		p.stop()
		return nil, nil, fmt.Errorf("start aws-lambda-rie on %s: %w", invokeAddr, err)
	}
	return &Lambda{URL: "http://" + invokeAddr + invokePath, proc: p}, p.stop, nil
}

// NewLambda runs bootstrap under aws-lambda-rie for the test and stops it when
// the test ends.
func NewLambda(t testing.TB, bootstrap string, env []string) *Lambda {
	t.Helper()
	l, stop, err := StartLambda(bootstrap, env)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(stop)
	return l
}

// Invoke sends payload to the function and returns its answer. A function
// error is a result, not an error: the returned error means the emulator
// could not be reached or answered with an HTTP failure. The error never
// includes the payload, which may hold secret values.
func (l *Lambda) Invoke(ctx context.Context, payload []byte) (InvokeResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL, bytes.NewReader(payload))
	if err != nil {
		return InvokeResult{}, fmt.Errorf("invoke lambda: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return InvokeResult{}, fmt.Errorf("invoke lambda: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return InvokeResult{}, fmt.Errorf("read lambda response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return InvokeResult{}, fmt.Errorf("invoke lambda: status %s%s", resp.Status, l.failureDetail())
	}
	res := InvokeResult{Payload: body, FunctionError: resp.Header.Get("X-Amz-Function-Error")}
	if typ := errorType(body); typ != "" {
		res.FunctionError = typ
	}
	return res, nil
}

// failureDetail waits briefly for the emulator to log why an invocation
// failed (it may do so only after answering) and returns those lines.
func (l *Lambda) failureDetail() string {
	if l.proc == nil {
		return ""
	}
	deadline := time.Now().Add(time.Second)
	for {
		why := emulatorErrors(l.proc.out.String())
		if why != "" || time.Now().After(deadline) {
			return why
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// emulatorErrors returns the emulator's own error lines (a runtime that
// crashed or exited answers with a bare 502), formatted to append to an
// error. Lines the function itself printed are left out: only the emulator's
// "(rapid)" lines are known to carry no payload or secret.
func emulatorErrors(log string) string {
	var lines []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, "[ERROR] (rapid)") {
			lines = append(lines, strings.TrimSpace(line))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "; aws-lambda-rie errors:\n" + tail(strings.Join(lines, "\n"), 2000)
}

// errorType returns the errorType of a Lambda error document, or "" when body
// is not one. Both fields are required so that a successful payload that
// merely has an errorType field is not mistaken for a failure.
func errorType(body []byte) string {
	var doc struct {
		ErrorType    *string `json:"errorType"`
		ErrorMessage *string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.ErrorType == nil || doc.ErrorMessage == nil {
		return ""
	}
	return *doc.ErrorType
}

// InitDurations returns the duration of each init phase logged so far,
// in order: one entry per cold start, which is how tests check that clients
// are built once per sandbox rather than per invocation.
func (l *Lambda) InitDurations() []time.Duration {
	if l.proc == nil { // a Lambda not made by StartLambda has no log
		return nil
	}
	return parseInitDurations(l.proc.out.String())
}

// parseInitDurations extracts every "INIT REPORT(durationMs: N)" from log.
func parseInitDurations(log string) []time.Duration {
	var ds []time.Duration
	for _, m := range initDurationRE.FindAllStringSubmatch(log, -1) {
		ms, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			continue // the pattern admits only numbers; unreachable
		}
		ds = append(ds, time.Duration(ms*float64(time.Millisecond)))
	}
	return ds
}

// findRIE looks for aws-lambda-rie on PATH, then where `go install` puts it.
func findRIE() (string, error) {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return "", fmt.Errorf("find aws-lambda-rie: not on PATH and go env failed (%v); %s", err, rieHint)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var dirs []string
	if len(lines) > 0 && strings.TrimSpace(lines[0]) != "" {
		dirs = append(dirs, strings.TrimSpace(lines[0]))
	}
	if len(lines) > 1 {
		for _, gopath := range filepath.SplitList(strings.TrimSpace(lines[1])) {
			dirs = append(dirs, filepath.Join(gopath, "bin"))
		}
	}
	for _, dir := range dirs {
		p := filepath.Join(dir, "aws-lambda-rie")
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("find aws-lambda-rie: not on PATH nor in %s; %s", strings.Join(dirs, ", "), rieHint)
}

// baseEnv is the part of the test's environment a subprocess needs to run at
// all; everything else is left out on purpose.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}
