package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/google/uuid"

	"github.com/juece/juece/db/crosscheck"
	"github.com/juece/juece/server"
)

// errCrossCheckFailed makes `juece crosscheck` exit non-zero after it
// printed which cases disagree.
var errCrossCheckFailed = errors.New("crosscheck failed")

// runCrossCheck compares cases' audit events with their Temporal histories
// (server.CrossCheck): every accepted Update has exactly one audit event and
// every event that claims an Update has one. With no case IDs it checks every
// case whose workflow history still exists; a case whose history retention
// already removed is counted and skipped. It prints one line per case (with
// -json one JSON report per line, the summary on stderr) and fails when a
// case disagrees.
func runCrossCheck(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("crosscheck", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print each case's report as one JSON line")
	if err := fs.Parse(args); err != nil {
		return errors.New("usage: juece crosscheck [-json] [CASE_ID ...]")
	}
	ids := fs.Args()
	for _, id := range ids {
		if _, err := uuid.Parse(id); err != nil {
			return fmt.Errorf("case id %q is not a UUID", id)
		}
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	tc, err := dialTemporal(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer tc.Close()
	refs, err := crosscheck.Cases(ctx, s, ids...)
	if err != nil {
		return err
	}
	var checked, gone, failed int
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for _, ref := range refs {
		rep, err := server.CrossCheck(ctx, s, tc, ref.ID)
		if errors.Is(err, server.ErrHistoryGone) {
			gone++
			if len(ids) > 0 {
				fmt.Fprintf(os.Stderr, "SKIP case %s: its workflow history no longer exists\n", ref.ID)
			}
			continue
		}
		if err != nil {
			return err
		}
		checked++
		if !rep.OK {
			failed++
		}
		if *asJSON {
			if err := enc.Encode(rep); err != nil {
				return err
			}
			continue
		}
		if rep.OK {
			fmt.Fprintf(out, "OK   case %s: %d updates (%d failed, %d pending), %d events\n",
				rep.CaseID, rep.AcceptedUpdates, rep.Failed, len(rep.Pending), rep.Events)
			continue
		}
		fmt.Fprintf(out, "FAIL case %s: missing [%s] extra [%s] duplicates [%s]\n", rep.CaseID,
			strings.Join(rep.Missing, " "), strings.Join(rep.Extra, " "), strings.Join(rep.Duplicates, " "))
	}
	summary := fmt.Sprintf("crosschecked %d cases with their Temporal histories (%d skipped: history gone): %d disagree\n", checked, gone, failed)
	if *asJSON {
		fmt.Fprint(os.Stderr, summary)
	} else {
		fmt.Fprint(out, summary)
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d cases", errCrossCheckFailed, failed, checked)
	}
	return nil
}
