package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServerConfigReadsProfiles: JUECE_PROFILES is read and checked before
// anything starts; a file that would lower a statutory floor stops the start
// naming the file, the profile and the field.
func TestServerConfigReadsProfiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(good, []byte(`{"profiles": {"luoyang": {"policy": {"legality_review_working_days": 10}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"profiles": {"luoyang": {"policy": {"comment_period_days": 15}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := serverConfig(Config{ProfilesFile: good})
	if err != nil || sc.Profiles.Params("luoyang").Policy.LegalityReviewWorkingDays != 10 {
		t.Fatalf("good file: %v, luoyang = %+v", err, sc.Profiles.Params("luoyang").Policy)
	}
	if sc, err := serverConfig(Config{}); err != nil || sc.Profiles != nil {
		t.Fatalf("no file: %v %v, want the server's built-in default (nil)", sc.Profiles, err)
	}
	_, err = serverConfig(Config{ProfilesFile: bad})
	for _, want := range []string{"JUECE_PROFILES", bad, `profile "luoyang"`, "comment_period_days = 15"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad file: error %v lacks %q", err, want)
		}
	}
	if _, err := serverConfig(Config{ProfilesFile: filepath.Join(dir, "missing.json")}); err == nil || !strings.Contains(err.Error(), "JUECE_PROFILES") {
		t.Errorf("missing file: %v", err)
	}
}
