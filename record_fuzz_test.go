package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/juece/juece/db/dossier"
)

// FuzzVerifyDossierZIP: `juece verify FILE.zip` never panics on a file it
// is given, and its verdict is the dossier's: OK (exit 0, one OK line) only
// when dossier.Verify finds no problem, else a FAIL line per problem and
// errVerifyFailed. The seed is a real export (testdata/dossier.zip, from
// db/dossier's fixture), which verifies, and versions of it cut short, with
// a byte changed inside a member, or with a member added.
func FuzzVerifyDossierZIP(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "dossier.zip"))
	if err != nil {
		f.Fatal(err)
	}
	if rep := dossier.Verify(bytes.NewReader(seed), int64(len(seed))); !rep.OK {
		f.Fatalf("the seed dossier does not verify: %v", rep.Problems)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add(seed[:len(seed)-22])
	flipped := bytes.Clone(seed)
	flipped[len(flipped)/3] ^= 1
	f.Add(flipped)
	f.Add(withMember(f, seed, "documents/extra", "多出来的文件"))
	f.Add(withMember(f, seed, "manifest.json", `{"format":"juece-dossier/1"}`))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "in.zip")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err := runVerify(context.Background(), Config{}, []string{path}, &out)
		ok := dossier.Verify(bytes.NewReader(b), int64(len(b))).OK
		switch {
		case err == nil && (!ok || !strings.HasPrefix(out.String(), "OK ") || strings.Contains(out.String(), "FAIL")):
			t.Fatalf("verify passed a dossier that does not verify (%v): %s", ok, out.String())
		case err != nil && ok:
			t.Fatalf("verify failed a dossier that verifies: %v", err)
		case err != nil && errors.Is(err, errVerifyFailed) && !strings.HasPrefix(out.String(), "FAIL "):
			t.Fatalf("verify failed without naming a problem: %v %q", err, out.String())
		}
	})
}

// withMember is the dossier zip b with one more member (a second one of
// the same name, where it exists).
func withMember(f *testing.F, b []byte, name, content string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		f.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, m := range zr.File {
		if err := zw.Copy(m); err != nil {
			f.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		f.Fatal(err)
	}
	_, _ = w.Write([]byte(content))
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	return out.Bytes()
}
