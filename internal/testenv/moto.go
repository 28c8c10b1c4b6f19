package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Moto is a running moto server, an emulator of the AWS APIs (Secrets
// Manager, KMS, STS, IAM, Lambda) that speaks the real wire protocol.
type Moto struct {
	// Endpoint is the base URL, http://127.0.0.1:PORT, for BaseEndpoint or
	// AWS_ENDPOINT_URL.
	Endpoint string
	// Region is the region to configure clients with, us-east-1.
	Region string
}

// motoHint says how to get moto when it cannot be imported. PyPI is not
// reachable from these machines, so reinstalling is not the answer.
const motoHint = "python3 -c 'import moto' failed: moto 5.2.1 is preinstalled on this kind of machine; " +
	"check that python3 on PATH is the interpreter that has it (pyenv), or run the tests on a machine of the CI image"

// motoStartAttempts is how often StartMoto tries a new port after moto exits
// early, which is what a lost FreePort race looks like.
const motoStartAttempts = 3

// StartMoto starts `python3 -m moto.server` on a free port of 127.0.0.1 and
// waits until it answers HTTP. The returned stop function kills its process
// group and waits for it.
func StartMoto() (*Moto, func(), error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, nil, fmt.Errorf("find python3: %w; %s", err, motoHint)
	}
	if out, err := exec.Command(python, "-c", "import moto").CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("import moto: %w: %s; %s", err, tail(string(out), 500), motoHint)
	}
	var lastErr error
	for range motoStartAttempts {
		m, stop, err := startMotoOnce(python)
		if err == nil {
			return m, stop, nil
		}
		lastErr = err
		if !errors.As(err, new(*earlyExitError)) {
			break
		}
	}
	return nil, nil, lastErr
}

// startMotoOnce makes one attempt on one port.
func startMotoOnce(python string) (*Moto, func(), error) {
	port, err := FreePort()
	if err != nil {
		return nil, nil, fmt.Errorf("start moto: %w", err)
	}
	p, err := startProcess(exec.Command(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", strconv.Itoa(port)))
	if err != nil {
		return nil, nil, fmt.Errorf("start moto: %w", err)
	}
	m := &Moto{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), Region: "us-east-1"}
	client := &http.Client{Timeout: time.Second}
	ready := func() error {
		resp, err := client.Get(m.Endpoint + "/moto-api/")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := p.waitReady(30*time.Second, ready); err != nil {
		p.stop()
		return nil, nil, fmt.Errorf("start moto on port %d: %w", port, err)
	}
	return m, p.stop, nil
}

// NewMoto starts moto for the test and stops it when the test ends. A moto
// that cannot start fails the test: the service is part of the machine image.
func NewMoto(t testing.TB) *Moto {
	t.Helper()
	m, stop, err := StartMoto()
	if err != nil {
		t.Fatalf("start moto: %v", err)
	}
	t.Cleanup(stop)
	return m
}

// Reset drops all state (secrets, keys, roles) so that one server can serve
// several independent subtests.
func (m *Moto) Reset() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+"/moto-api/reset", nil)
	if err != nil {
		return fmt.Errorf("reset moto: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reset moto: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset moto: status %s", resp.Status)
	}
	return nil
}

// Env returns the environment that points an AWS SDK in a subprocess (such as
// a Lambda under aws-lambda-rie) at this moto with dummy credentials, so that
// nothing can reach real AWS.
func (m *Moto) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + m.Endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=" + m.Region,
		"AWS_DEFAULT_REGION=" + m.Region,
	}
}
