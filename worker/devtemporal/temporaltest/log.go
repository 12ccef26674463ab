package temporaltest

import (
	"io"
	"log/slog"
	"os"
)

// quietLogger discards the SDK's logs unless JUECE_TEST_LOG is set.
func quietLogger() *slog.Logger {
	var w io.Writer = io.Discard
	if os.Getenv("JUECE_TEST_LOG") != "" {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
