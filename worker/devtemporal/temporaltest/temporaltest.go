// Package temporaltest starts a real Temporal dev server for tests through the
// SDK's testsuite.StartDevServer, using the CLI that `make setup` built (it
// cannot download one here).
package temporaltest

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/juece/juece/worker/devtemporal"
)

var (
	once   sync.Once
	server *testsuite.DevServer
	err    error
)

// Server returns a dev server shared by the tests of one package, started on
// first use. Call Stop from TestMain after the tests.
func Server(tb testing.TB) *testsuite.DevServer {
	tb.Helper()
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		var cli string
		cli, err = devtemporal.EnsureCLI(ctx, tb.Logf)
		if err != nil {
			return
		}
		server, err = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
			ExistingPath: cli,
			LogLevel:     "error",
			ClientOptions: &client.Options{
				Namespace:         "default",
				Logger:            log.NewStructuredLogger(quietLogger()),
				ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}},
			},
			Stdout: io.Discard,
			Stderr: io.Discard,
		})
	})
	if err != nil {
		tb.Fatalf("temporal dev server: %v", err)
	}
	return server
}

// Stop stops the shared dev server if it was started.
func Stop() {
	if server != nil {
		server.Stop()
	}
}
