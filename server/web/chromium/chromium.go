// Package chromium finds, and on Debian installs, the headless Chromium the
// workbench's browser tests drive (Debian package chromium-headless-shell).
package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Package is the Debian package that provides the browser.
const Package = "chromium-headless-shell"

// candidates are where the browser may be, in order: the package's wrapper
// script first.
var candidates = []string{
	"chromium-headless-shell",
	"/usr/bin/chromium-headless-shell",
	"/usr/lib/chromium/chromium-headless-shell",
	"headless_shell",
	"chromium",
	"chromium-browser",
}

// PDFTools is the Debian package of pdftotext and pdftoppm, with which the
// printed documents' tests read the PDFs the browser prints (server/printdocs).
const PDFTools = "poppler-utils"

// ErrNotFound says no headless Chromium is installed.
var ErrNotFound = errors.New("headless Chromium not found: apt-get install -y --no-install-recommends " + Package)

// Path returns the browser's path: JUECE_CHROMIUM if set (given by the
// caller, who reads the environment), else the first candidate found.
func Path(override string) (string, error) {
	if override != "" {
		if p, err := exec.LookPath(override); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("JUECE_CHROMIUM=%s: not an executable", override)
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// EnsureInstalled finds the browser, installing the Debian package (and a
// small CJK font, so screenshots of Chinese pages are legible, and
// poppler-utils, so the printed documents' tests can read their PDFs) with
// apt-get when one is missing and we are root. Otherwise it says what to
// install.
func EnsureInstalled(ctx context.Context, logf func(string, ...any)) (string, error) {
	p, err := Path("")
	_, noTools := exec.LookPath("pdftotext")
	if err == nil && noTools == nil {
		return p, nil
	}
	if os.Geteuid() != 0 {
		if err != nil {
			return "", fmt.Errorf("%w (as root), or set JUECE_CHROMIUM; the browser tests need it", ErrNotFound)
		}
		return "", fmt.Errorf("pdftotext not found: apt-get install -y --no-install-recommends %s (as root); the printed documents' tests need it", PDFTools)
	}
	logf("headless Chromium or pdftotext not found; installing %s, fonts-wqy-microhei and %s with apt-get (one time)", Package, PDFTools)
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", Package, "fonts-wqy-microhei", PDFTools}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("apt-get %s: %w", strings.Join(args, " "), err)
		}
	}
	return Path("")
}
