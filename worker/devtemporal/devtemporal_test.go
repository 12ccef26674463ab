package devtemporal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEnsureCLIConcurrentFirstStarts runs two EnsureCLI calls at once into
// an empty cache, as two `make test` binaries or `make run` beside `make
// test` do on a fresh machine. The `go` on PATH is a stand-in that takes half
// a second to "build" a tiny binary and notes each build, so the test
// exercises EnsureCLI's real code (lock, temporary directory, rename) in a
// second instead of three minutes of compiling.
func TestEnsureCLIConcurrentFirstStarts(t *testing.T) {
	bin := t.TempDir()
	builds := filepath.Join(t.TempDir(), "builds")
	fakeGo := `#!/bin/sh
echo build >> "` + builds + `"
sleep 0.5
mkdir -p "$GOBIN"
printf '#!/bin/sh\necho temporal fake\n' > "$GOBIN/temporal"
chmod +x "$GOBIN/temporal"
`
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("TEMPORAL_CLI", "")
	t.Setenv("JUECE_CACHE_DIR", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	paths, errs := make([]string, 2), make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = EnsureCLI(ctx, t.Logf)
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Errorf("EnsureCLI #%d: %v", i, errs[i])
			continue
		}
		if paths[i] != CLIPath() {
			t.Errorf("EnsureCLI #%d = %s, want %s", i, paths[i], CLIPath())
		}
	}
	b, err := os.ReadFile(CLIPath())
	if err != nil || !strings.Contains(string(b), "temporal fake") {
		t.Fatalf("installed CLI = %q, %v", b, err)
	}
	if n, _ := os.ReadFile(builds); strings.Count(string(n), "build") != 1 {
		t.Errorf("the CLI was built %d times, want once", strings.Count(string(n), "build"))
	}
	// Nothing is left behind but the binary and the lock file.
	left, _ := os.ReadDir(filepath.Dir(CLIPath()))
	for _, e := range left {
		if e.Name() != "temporal" && e.Name() != ".lock" {
			t.Errorf("left in the cache: %s", e.Name())
		}
	}
}
