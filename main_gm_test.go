package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dbtest"
	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/db/suite"
)

// rewriteDossier copies the dossier in src to a new file with member name
// changed by edit and the manifest's entry for it recomputed, as a forger
// who knows the format would: only the chain, the checkpoint's hash or its
// signature can then tell.
func rewriteDossier(t *testing.T, src, name string, edit func([]byte) []byte) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	members := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		members[f.Name] = b
		order = append(order, f.Name)
	}
	old, ok := members[name]
	if !ok {
		t.Fatalf("dossier has no %s", name)
	}
	members[name] = edit(bytes.Clone(old))
	if bytes.Equal(old, members[name]) {
		t.Fatalf("edit of %s changed nothing", name)
	}
	var m dossier.Manifest
	if err := json.Unmarshal(members[dossier.ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	for i, it := range m.Files {
		if it.Path == name {
			sum := sha256.Sum256(members[name])
			m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(members[name]))
		}
	}
	if members[dossier.ManifestFile], err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "forged.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range order {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(members[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVerifySM3Dossier installs a deployment with the sm3 suite through the
// binary (JUECE_CRYPTO_SUITE=sm3, a key from `juece keys gen-sm2`), records
// a case, checkpoints it, exports the dossier and checks it offline: intact
// it passes; one byte of the record changed, or the checkpoint's SM2
// signature tampered with, it fails and names what.
func TestVerifySM3Dossier(t *testing.T) {
	dbURL := dbtest.URL(t)
	bin := buildBinary(t)
	ctx := context.Background()
	dir := t.TempDir()
	key := filepath.Join(dir, "signing-sm2.pem")
	dataKey := filepath.Join(dir, "data.key")

	base := envWithout("DATABASE_URL", "TEST_DATABASE_URL", "TEMPORAL_ADDRESS", "JUECE_CRYPTO_SUITE", "JUECE_SIGNING_KEY")
	sm3Env := append(append([]string{}, base...), "DATABASE_URL="+dbURL, "JUECE_CRYPTO_SUITE=sm3", "JUECE_SIGNING_KEY="+key, "JUECE_DATA_KEY="+dataKey)
	run := func(env []string, args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		code := 0
		if err != nil {
			code = cmd.ProcessState.ExitCode()
		}
		return string(out), code
	}
	out, code := run(base, "keys", "gen-sm2", key)
	if code != 0 || !strings.Contains(out, "sm2 private key written") || !strings.Contains(out, "BEGIN PUBLIC KEY") {
		t.Fatalf("keys gen-sm2: exit %d\n%s", code, out)
	}
	sg, err := suite.LoadSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	keyID := suite.KeyID([]byte(sg.PublicKey()))
	if !strings.Contains(out, "key id "+keyID) {
		t.Fatalf("keys gen-sm2 does not print key id %s:\n%s", keyID, out)
	}
	if out, code := run(base, "keys", "gen-sm2", key); code == 0 {
		t.Fatalf("keys gen-sm2 over an existing key succeeded:\n%s", out)
	}
	if out, code := run(base, "keys", "gen-data", dataKey); code != 0 || !strings.Contains(out, "data key written") {
		t.Fatalf("keys gen-data: exit %d\n%s", code, out)
	}
	// sm3 without a key is refused before anything is written.
	if out, code := run(append(append([]string{}, base...), "DATABASE_URL="+dbURL, "JUECE_CRYPTO_SUITE=sm3"), "checkpoint"); code == 0 || !strings.Contains(out, "JUECE_SIGNING_KEY") {
		t.Fatalf("sm3 without a key: exit %d\n%s", code, out)
	}
	if out, code := run(append(append([]string{}, base...), "DATABASE_URL="+dbURL, "JUECE_CRYPTO_SUITE=sm3", "JUECE_SIGNING_KEY="+key), "checkpoint"); code == 0 || !strings.Contains(out, "JUECE_DATA_KEY") {
		t.Fatalf("sm3 without a data key: exit %d\n%s", code, out)
	}
	// The first start installs the suite.
	if out, code := run(sm3Env, "checkpoint"); code != 0 || !strings.Contains(out, "checkpoint 1 written: 0 cases") {
		t.Fatalf("first checkpoint: exit %d\n%s", code, out)
	}

	store, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if n, err := store.Suite(ctx); err != nil || n != suite.SM3 {
		t.Fatalf("installed suite = %s, %v", n, err)
	}
	id := openCaseWithDraft(t, ctx, store)
	for _, step := range []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{sm3Env, []string{"checkpoint"}, 0, "checkpoint 2 written: 1 cases, 2 events"},
		{sm3Env, []string{"verify"}, 0, "OK 1 cases, 2 events, 1 documents, 2 checkpoints"},
		{sm3Env, []string{"verify"}, 0, "OK checkpoints signed with key id " + keyID},
		// The suite is fixed: a start that asks for another is refused.
		{append(append([]string{}, base...), "DATABASE_URL="+dbURL), []string{"verify"}, 1, "installed with the sm3 suite"},
	} {
		out, code := run(step.env, step.args...)
		if code != step.code || !strings.Contains(out, step.want) {
			t.Fatalf("juece %s: exit %d\n%s\nwant exit %d and %q", strings.Join(step.args, " "), code, out, step.code, step.want)
		}
	}
	file := filepath.Join(dir, "dossier.zip")
	if out, code := run(sm3Env, "dossier", "export", id, "-o", file); code != 0 {
		t.Fatalf("dossier export: exit %d\n%s", code, out)
	}
	cps, err := store.Checkpoints(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	day := cps[0].At.UTC().Format("2006-01-02")

	// Offline: no database in the environment, the function behind `juece verify FILE`.
	var buf bytes.Buffer
	if err := runVerify(ctx, Config{}, []string{file}, &buf); err != nil ||
		!strings.Contains(buf.String(), "2 events, chain head") || !strings.Contains(buf.String(), "(sm3)") ||
		!strings.Contains(buf.String(), "OK checkpoint 2 ("+day+", sm3) records event 2 of the case; signed sm2, key id "+keyID) {
		t.Fatalf("verify the sm3 dossier: %v\n%s", err, buf.String())
	}
	if out, code := run(base, "verify", file); code != 0 || !strings.Contains(out, "OK "+file) {
		t.Fatalf("juece verify FILE offline: exit %d\n%s", code, out)
	}

	fails := func(what, file string, want ...string) {
		t.Helper()
		var buf bytes.Buffer
		err := runVerify(ctx, Config{}, []string{file}, &buf)
		if err == nil {
			t.Fatalf("%s: verify passed\n%s", what, buf.String())
		}
		for _, w := range want {
			if !strings.Contains(buf.String(), w) {
				t.Fatalf("%s: output lacks %q\n%s", what, w, buf.String())
			}
		}
	}
	// One byte of the record changed (the actor's name in event 1), the
	// manifest recomputed: the SM3 chain names the event.
	forged := rewriteDossier(t, file, dossier.EventsFile, func(b []byte) []byte {
		k := bytes.Index(b, []byte(`"action": "case.opened"`))
		if k < 0 {
			t.Fatalf("events.json has no case.opened: %.300s", b)
		}
		k += len(`"action": "case.`)
		b[k] = 'O' // case.opened → case.Opened
		return b
	})
	fails("one byte of an event changed", forged, "FAIL events.json: event 1:")
	// One byte flipped in the file itself.
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{len(raw) / 3, len(raw) / 2} {
		flipped := bytes.Clone(raw)
		flipped[at] ^= 0x01
		fp := filepath.Join(dir, "flipped.zip")
		if err := os.WriteFile(fp, flipped, 0o644); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := runVerify(ctx, Config{}, []string{fp}, &buf); err == nil {
			t.Fatalf("byte %d of the ZIP flipped: verify passed\n%s", at, buf.String())
		}
	}
	// The checkpoint's signature tampered with: named by sequence and day.
	forged = rewriteDossier(t, file, dossier.CheckpointFile, func(b []byte) []byte {
		var c dossier.Checkpoint
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		sig := []byte(c.Checkpoint.Signature)
		if sig[len(sig)/2] == '0' {
			sig[len(sig)/2] = '1'
		} else {
			sig[len(sig)/2] = '0'
		}
		c.Checkpoint.Signature = string(sig)
		out, _ := json.Marshal(c)
		return out
	})
	fails("the checkpoint's signature tampered with", forged,
		"FAIL checkpoint.json: 检查点 2（"+day+"）签名无效", "checkpoint 2 ("+day+"): bad signature")
	// The checkpoint's recorded head of this case changed: the hash names it.
	forged = rewriteDossier(t, file, dossier.CheckpointFile, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"cases": 1,`), []byte(`"cases": 2,`), 1)
	})
	fails("the checkpoint's fields changed", forged, "checkpoint 2 ("+day+"): hash mismatch")
}

// TestDevKeysAndSuiteConfig: juece dev makes the keys the suite needs under
// its data directory once and keeps them; an unknown suite is refused.
func TestDevKeysAndSuiteConfig(t *testing.T) {
	if _, err := cryptoSuite(Config{CryptoSuite: "sm4"}); err == nil || !strings.Contains(err.Error(), "JUECE_CRYPTO_SUITE") {
		t.Fatalf("unknown suite: %v", err)
	}
	dir := t.TempDir()
	cfg := Config{CryptoSuite: "sm3"}
	var out bytes.Buffer
	if err := devKeys(&cfg, dir, &out); err != nil {
		t.Fatal(err)
	}
	if cfg.SigningKey != filepath.Join(dir, "signing-sm2.pem") || cfg.DataKey != filepath.Join(dir, "data.key") ||
		!strings.Contains(out.String(), "SM2 checkpoint signing key written") || !strings.Contains(out.String(), "sm4-gcm") {
		t.Fatalf("devKeys: cfg %+v\n%s", cfg, out.String())
	}
	var s db.Store
	if err := loadSigner(cfg, &s); err != nil || s.Signer.Alg() != suite.SigSM2 {
		t.Fatalf("dev signing key: %v", err)
	}
	if err := loadSealer(cfg, &s); err != nil || s.Sealer == nil {
		t.Fatalf("dev data key: %v", err)
	}
	before, _ := os.ReadFile(cfg.SigningKey)
	again := Config{CryptoSuite: "sm3"}
	out.Reset()
	if err := devKeys(&again, dir, &out); err != nil || out.Len() != 0 {
		t.Fatalf("second dev start: %v\n%s", err, out.String())
	}
	if after, _ := os.ReadFile(again.SigningKey); !bytes.Equal(before, after) {
		t.Fatal("the second dev start replaced the signing key")
	}
	// Under sha256 dev makes a data key and no signing key.
	sha := Config{}
	if err := devKeys(&sha, t.TempDir(), &out); err != nil || sha.SigningKey != "" || sha.DataKey == "" {
		t.Fatalf("sha256 dev keys: %+v, %v", sha, err)
	}
	// A signing key of the wrong kind under sm3 is refused.
	ed := filepath.Join(dir, "ed.pem")
	if err := writeKey(ed, suite.SigEd25519); err != nil {
		t.Fatal(err)
	}
	if err := loadSigner(Config{CryptoSuite: "sm3", SigningKey: ed}, &s); err == nil || !strings.Contains(err.Error(), "SM2") {
		t.Fatalf("Ed25519 key under sm3: %v", err)
	}
}
