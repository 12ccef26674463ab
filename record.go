package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/server"
	"github.com/juece/juece/worker"
)

// errVerifyFailed makes `juece verify` exit non-zero after it printed what
// is wrong.
var errVerifyFailed = errors.New("verification failed")

func cliActor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

// checkpointInterval reads JUECE_CHECKPOINT_INTERVAL: a Go duration of at
// least a minute, or 0 / off to write no scheduled checkpoints.
func checkpointInterval(cfg Config) (time.Duration, error) {
	switch cfg.CheckpointInterval {
	case "0", "off":
		return 0, nil
	}
	d, err := time.ParseDuration(cfg.CheckpointInterval)
	if err != nil || d < time.Minute {
		return 0, fmt.Errorf("JUECE_CHECKPOINT_INTERVAL=%q: want a duration of at least 1m (e.g. 24h), or 0 / off", cfg.CheckpointInterval)
	}
	return d, nil
}

// checkpointAt reads JUECE_CHECKPOINT_AT: HH:MM (Beijing time), or off.
func checkpointAt(cfg Config) (hour, minute int, on bool, err error) {
	if cfg.CheckpointAt == "off" {
		return 0, 0, false, nil
	}
	t, err := time.Parse("15:04", cfg.CheckpointAt)
	if err != nil {
		return 0, 0, false, fmt.Errorf("JUECE_CHECKPOINT_AT=%q: want a time of day HH:MM, Beijing time (e.g. 02:00), or off", cfg.CheckpointAt)
	}
	return t.Hour(), t.Minute(), true, nil
}

// ensureCheckpointSchedule creates or updates, at the start of worker and
// dev, the Temporal Schedule that writes the global audit checkpoint daily
// (worker.EnsureCheckpointSchedule). A failure stops the start: a worker
// that cannot keep the schedule says so at once rather than leave the
// record without checkpoints.
func ensureCheckpointSchedule(ctx context.Context, cfg Config, tc client.Client, log *slog.Logger) error {
	hour, minute, on, err := checkpointAt(cfg)
	if err != nil || !on {
		return err
	}
	id, err := worker.EnsureCheckpointSchedule(ctx, tc, worker.CheckpointSchedule{TaskQueue: cfg.TaskQueue, Hour: hour, Minute: minute})
	if err != nil {
		return fmt.Errorf("%w (JUECE_CHECKPOINT_AT=off starts without the schedule)", err)
	}
	log.Info("daily audit checkpoint scheduled", "schedule_id", id, "at", fmt.Sprintf("%02d:%02d", hour, minute), "time_zone", worker.Beijing)
	return nil
}

// startCheckpointSchedule runs the audit checkpoint schedule in the
// background of serve and dev (db.Store.RunCheckpointSchedule): whenever the
// latest checkpoint is older than the interval and the record changed, one
// is written. The due check reads the table under the checkpoint lock, so
// several API servers, restarts and `juece checkpoint` from cron all agree;
// the schedule lives as long as ctx. With the Temporal Schedule
// (ensureCheckpointSchedule) writing one daily, this one writes only when a
// day passed without it: a safety net for a schedule paused, deleted or
// switched off.
func startCheckpointSchedule(ctx context.Context, cfg Config, s *db.Store, log *slog.Logger) error {
	every, err := checkpointInterval(cfg)
	if err != nil || every == 0 {
		return err
	}
	host, _ := os.Hostname()
	poll := min(every/24, 10*time.Minute)
	log.Info("audit checkpoint schedule", "every", every.String(), "poll", poll.String())
	go s.RunCheckpointSchedule(ctx, "schedule:"+host, every, poll, log.With("component", "checkpoint"))
	return nil
}

// runCheckpoint writes a global audit checkpoint now (db.Store.Checkpoint);
// the Temporal Schedule writes one daily (ensureCheckpointSchedule).
func runCheckpoint(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	if len(args) != 0 {
		return errors.New("usage: juece checkpoint")
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	cp, written, err := s.Checkpoint(ctx, cliActor())
	if err != nil {
		return err
	}
	what := "written"
	if !written {
		what = "unchanged since"
	}
	fmt.Fprintf(out, "checkpoint %d %s: %d cases, %d events, root %s, %d directories, %d directory events, directory root %s, hash %s\n",
		cp.Seq, what, cp.Cases, cp.Events, cp.Root, cp.Directories, cp.DirectoryEvents, cp.DirectoryRoot, cp.Hash)
	return nil
}

// runVerify checks a dossier file offline (no database: DATABASE_URL is not
// read), or with no file the whole record in DATABASE_URL. It prints every
// problem, the first mismatch first, and fails when there is one.
func runVerify(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	switch len(args) {
	case 1:
		rep, err := dossier.VerifyFile(args[0])
		if err != nil {
			return err
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(out, "FAIL %s\n", p)
		}
		if !rep.OK {
			return fmt.Errorf("%s: %w: %s", args[0], errVerifyFailed, rep.Problems[0])
		}
		fmt.Fprintf(out, "OK %s: case %s, %d files, %d documents, %d events, chain head %s (%s)\n",
			args[0], rep.CaseID, rep.Files, rep.Documents, rep.Events, rep.Head, rep.HashAlg)
		if c := rep.Checkpoint; c != nil {
			signed := "unsigned"
			if c.SigAlg != "" {
				signed = fmt.Sprintf("signed %s, key id %s (compare with the key the deployment published)", c.SigAlg, c.KeyID)
			}
			fmt.Fprintf(out, "OK checkpoint %d (%s, %s) records event %d of the case; %s\n", c.Seq, c.Day, c.HashAlg, c.CaseSeq, signed)
		} else {
			fmt.Fprintf(out, "NOTE no checkpoint had recorded the case at export: compare the chain head with the deployment's record\n")
		}
		return nil
	case 0:
		if err := requireDB(cfg); err != nil {
			return fmt.Errorf("%w (to check a dossier offline: juece verify FILE.zip)", err)
		}
		s, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer s.Close()
		rep, err := s.VerifyAll(ctx)
		if err != nil {
			return err
		}
		for _, p := range rep.Problems {
			if p.DirectoryID != "" {
				fmt.Fprintf(out, "FAIL %s directory=%s seq=%d checkpoint=%d: %s\n", p.Kind, p.DirectoryID, p.Seq, p.Checkpoint, p.Reason)
				continue
			}
			fmt.Fprintf(out, "FAIL %s case=%s seq=%d checkpoint=%d sha256=%s: %s\n", p.Kind, p.CaseID, p.Seq, p.Checkpoint, p.SHA256, p.Reason)
		}
		cp := "none"
		if rep.LatestCheckpoint != nil {
			cp = fmt.Sprintf("%d at %s", rep.LatestCheckpoint.Seq, rep.LatestCheckpoint.At.Format(time.RFC3339))
		}
		if !rep.OK {
			return fmt.Errorf("%w: %d problems", errVerifyFailed, len(rep.Problems))
		}
		fmt.Fprintf(out, "OK %d cases, %d events, %d documents, %d checkpoints (latest %s), %d directories with %d events\n",
			rep.Cases, rep.Events, rep.Documents, rep.Checkpoints, cp, rep.Directories, rep.DirectoryEvents)
		if len(rep.SigningKeys) > 0 {
			fmt.Fprintf(out, "OK checkpoints signed with key id %s (compare with the keys the deployment published)\n", strings.Join(rep.SigningKeys, ", "))
		}
		return nil
	}
	return errors.New("usage: juece verify [FILE.zip]")
}

// runDossier exports a case's dossier with the database (and Temporal for
// run details when TEMPORAL_ADDRESS is set; without it the dossier says so),
// with the printed documents when a headless Chromium is installed; their
// QR codes link to JUECE_PUBLIC_URL (else JUECE_LISTEN on this host).
func runDossier(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	usage := errors.New("usage: juece dossier export CASE_ID -o FILE.zip")
	if len(args) < 2 || args[0] != "export" {
		return usage
	}
	caseID := args[1]
	fs := flag.NewFlagSet("dossier export", flag.ContinueOnError)
	output := fs.String("o", "", "output file (.zip)")
	if err := fs.Parse(args[2:]); err != nil || *output == "" || fs.NArg() != 0 {
		return usage
	}
	if _, err := uuid.Parse(caseID); err != nil {
		return fmt.Errorf("case id %q is not a UUID", caseID)
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.GetCase(ctx, caseID)
	if err != nil {
		return err
	}
	var tc client.Client
	if cfg.TemporalAddress != "" {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		tc, err = client.DialContext(dctx, client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
			Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
		cancel()
		if err != nil {
			fmt.Fprintf(out, "Temporal at %s not reachable; the dossier records the workflow id only\n", cfg.TemporalAddress)
			tc = nil
		} else {
			defer tc.Close()
		}
	}
	t := server.DescribeWorkflow(ctx, tc, cfg.TemporalNamespace, c.WorkflowID)
	tmp, err := os.CreateTemp(filepath.Dir(*output), ".dossier-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	base := cfg.PublicURL
	if base == "" {
		base = "http://" + cfg.Listen
		if strings.HasPrefix(cfg.Listen, ":") {
			base = "http://localhost" + cfg.Listen
		}
	}
	printer := server.DossierPrinter(s, cfg.Chromium, base, cliActor(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	m, err := dossier.ExportPrinted(ctx, s, caseID, t, cliActor(), tmp, printer)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", caseID, err)
	}
	if err := os.Rename(tmp.Name(), *output); err != nil {
		return err
	}
	printed := 0
	for _, f := range m.Files {
		if strings.HasPrefix(f.Path, dossier.PrintDir) {
			printed++
		}
	}
	fmt.Fprintf(out, "dossier of case %s written to %s: %d files (%d printed documents), %d events, chain head %s\n", caseID, *output, len(m.Files), printed, m.Chain.Events, m.Chain.Head)
	if printed == 0 {
		fmt.Fprintln(out, "no headless Chromium here: the dossier holds no printed documents (apt-get install chromium-headless-shell)")
	}
	return nil
}
