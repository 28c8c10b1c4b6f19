package standin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// Serve runs a provider the way the engine expects of a plugin (what the
// SDK's provider.Main does, without its tracing setup): it listens on a free
// port on 127.0.0.1, prints the port on stdout, and stops when the engine,
// whose address is the last argument, goes away or sends an interrupt.
func Serve(srv pulumirpc.ResourceProviderServer) error {
	var engine string
	for _, a := range os.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			engine = a
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if engine != "" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		if err := rpcutil.Healthcheck(ctx, engine, 5*time.Minute, cancel); err != nil {
			return fmt.Errorf("watch the engine at %s: %w", engine, err)
		}
	}
	done := make(chan bool)
	go func() {
		<-ctx.Done()
		close(done)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: done,
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(s, srv)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("serve provider: %w", err)
	}
	// The plugin protocol: the first line on stdout is the port.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("serve provider: %w", err)
	}
	return nil
}
