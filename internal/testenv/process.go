package testenv

import (
	"bytes"
	"fmt"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// maxOutput bounds the captured output of a server so that a chatty server
// (moto logs every request) cannot grow a long test run's memory without end.
const maxOutput = 4 << 20

// syncBuffer is a bounded bytes.Buffer that a child process writes to from the
// os/exec copying goroutines while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write keeps the first maxOutput bytes and drops the rest; it never fails,
// because a failing writer would make os/exec stop copying and block the child.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if room := maxOutput - s.b.Len(); room > 0 {
		s.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// String returns everything captured so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// process is a server started in its own process group, so that stopping it
// also stops what it spawned (moto's Python behind the pyenv shim, the
// bootstrap that aws-lambda-rie runs).
type process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when Wait has returned
	err  error         // Wait's result, valid after done is closed
}

// startProcess starts cmd in a new process group with stdout and stderr
// captured together.
func startProcess(cmd *exec.Cmd) (*process, error) {
	p := &process{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout = p.out
	cmd.Stderr = p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop ends the whole process group: SIGTERM first so servers can clean up,
// SIGKILL if they have not gone within a few seconds. It waits for the exit so
// that no server outlives the test that started it. It is safe to call twice.
func (p *process) stop() {
	if p.exited() {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// Children that ignored SIGTERM after the leader exited still go.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// waitReady polls ready until it returns nil, the process exits or timeout
// passes. The error names the last readiness failure and carries the server's
// own output, which says why it did not come up (for example a port clash).
func (p *process) waitReady(timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		if p.exited() {
			return &earlyExitError{err: p.err, output: p.out.String()}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s (last check: %w); output:\n%s", timeout, err, tail(p.out.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// earlyExitError reports a server that exited while the caller waited for it.
// Start functions retry on it with a new port because the likeliest cause is
// another process taking the port that FreePort returned.
type earlyExitError struct {
	err    error
	output string
}

// Error includes the tail of the server's output: start-up output carries no
// secret values, and it is what explains the failure.
func (e *earlyExitError) Error() string {
	return fmt.Sprintf("exited before it was ready (%v); output:\n%s", e.err, tail(e.output, 4000))
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
