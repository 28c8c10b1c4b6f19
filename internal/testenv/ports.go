package testenv

import (
	"fmt"
	"net"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
//
// The port is released before it is returned so that a child process can bind
// it; another process may take it in between. The start functions therefore
// retry with a new port when a server exits before it becomes ready.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("listen on 127.0.0.1:0: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("listen on 127.0.0.1:0: unexpected address type %T", l.Addr())
	}
	return addr.Port, nil
}
