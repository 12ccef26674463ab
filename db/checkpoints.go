package db

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/juece/juece/db/suite"
)

// Checkpoint is one entry of the global checkpoint chain. A case's own chain
// detects an altered event or a removed tail, but not the removal of the whole
// case (events and row): nothing in it is left to notice. A checkpoint fixes
// every case's chain head at a moment, and checkpoints are chained like events,
// so VerifyAll can name a case or tail that a checkpoint saw and that is gone.
//
// Checkpoints are written daily by a Temporal Schedule the worker keeps
// (the AuditCheckpoint workflow), by `juece serve` when a day passed without
// one (RunCheckpointSchedule), by `juece checkpoint`, and by auditors or
// admins through POST /api/v1/audit/checkpoints: all through Checkpoint or
// CheckpointIfDue, entries of this one chain. Whatever was written after the latest
// checkpoint is protected only by its case chain, so the interval is the
// window in which a whole new case could vanish unnoticed.
type Checkpoint struct {
	Seq       int64     `db:"seq" json:"seq"`
	At        time.Time `db:"at" json:"at"`
	Cases     int64     `db:"cases" json:"cases"`
	Events    int64     `db:"events" json:"events"`
	Root      string    `db:"root" json:"root" description:"sha256 over the lines \"case_id seq head\\n\" of every case, in case-id order"`
	CreatedBy string    `db:"created_by" json:"created_by"`
	// Directories, DirectoryEvents and DirectoryRoot fix every decision
	// directory's chain head the same way (audit_checkpoint_directories), so
	// a directory removed with all its events is named too. They are empty
	// in checkpoints written before directories were checkpointed (migration
	// 00011), whose hash does not cover them.
	Directories     int64  `db:"directories" json:"directories"`
	DirectoryEvents int64  `db:"directory_events" json:"directory_events"`
	DirectoryRoot   string `db:"directory_root" json:"directory_root,omitempty" description:"sha256 over the lines \"directory_id seq head\\n\" of every directory, in id order"`
	PrevHash        string `db:"prev_hash" json:"prev_hash"`
	Hash            string `db:"hash" json:"hash"`
	// HashAlg is the hash of Hash, Root and DirectoryRoot: the deployment's
	// suite when the checkpoint was written (migration 00140); covered by
	// the hash under sm3, so a checkpoint cannot be re-read as sha256.
	HashAlg suite.Name `db:"hash_alg" json:"hash_alg"`
	// SigAlg, PublicKey and Signature: the signature over Hash (its hex
	// text) with the deployment's key, and the PEM public key that
	// verifies it; empty when the deployment signs no checkpoints (sha256
	// without JUECE_SIGNING_KEY). Under sm3 every checkpoint is SM2-signed.
	SigAlg    string `db:"sig_alg" json:"sig_alg,omitempty"`
	PublicKey string `db:"public_key" json:"public_key,omitempty"`
	Signature string `db:"signature" json:"signature,omitempty" description:"hex of the DER signature over the text of hash"`
}

// VerifySignature checks the checkpoint's signature over its hash; nil
// when it is signed and the signature verifies, or when it is unsigned and
// its suite does not require a signature.
func (c Checkpoint) VerifySignature() error {
	if c.SigAlg == "" && c.Signature == "" {
		if c.HashAlg == suite.SM3 {
			return errors.New("国密部署的检查点缺少 SM2 签名 / a checkpoint of an sm3 deployment lacks its SM2 signature")
		}
		return nil
	}
	if c.HashAlg == suite.SM3 && c.SigAlg != suite.SigSM2 {
		return fmt.Errorf("国密部署的检查点须用 SM2 签名，而非 %q / a checkpoint of an sm3 deployment must be SM2-signed, not %q", c.SigAlg, c.SigAlg)
	}
	sig, err := hex.DecodeString(c.Signature)
	if err != nil {
		return errors.New("签名不是十六进制 / the signature is not hex")
	}
	return suite.Verify(c.SigAlg, c.PublicKey, []byte(c.Hash), sig)
}

// CaseHead is one case's chain head as a checkpoint records it; a
// directory's head is recorded the same way, its id in CaseID.
type CaseHead struct {
	CaseID string `db:"case_id" json:"case_id"`
	Seq    int64  `db:"audit_seq" json:"seq"`
	Head   string `db:"audit_head" json:"head"`
	// Alg is the case's chain hash, where the query reads it.
	Alg suite.Name `db:"hash_alg" json:"-"`
}

// CheckpointRoot hashes the case heads: sha256 over "case_id seq head\n" per
// case, sorted by case id (lower-case UUID text, which is also PostgreSQL's
// uuid order). It sorts heads in place.
func CheckpointRoot(heads []CaseHead) string {
	return CheckpointRootOf(suite.SHA256, heads)
}

// CheckpointRootOf is CheckpointRoot with the hash of suite alg.
func CheckpointRootOf(alg suite.Name, heads []CaseHead) string {
	slices.SortFunc(heads, func(a, b CaseHead) int { return strings.Compare(a.CaseID, b.CaseID) })
	h := alg.New()
	for _, c := range heads {
		fmt.Fprintf(h, "%s %d %s\n", c.CaseID, c.Seq, c.Head)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Canonical is what a checkpoint's hash covers, in the same form as
// AuditEvent.Canonical: sorted keys, no whitespace, UTC microseconds. The
// directory fields are covered when DirectoryRoot is set, which it is in
// every checkpoint written since directories are checkpointed (the root of
// no directories is sha256 of nothing); older checkpoints keep their hash.
func (c Checkpoint) Canonical() ([]byte, error) {
	m := map[string]any{
		"seq":        c.Seq,
		"at":         c.At.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"),
		"cases":      c.Cases,
		"events":     c.Events,
		"root":       c.Root,
		"created_by": c.CreatedBy,
	}
	if c.DirectoryRoot != "" {
		m["directories"], m["directory_events"], m["directory_root"] = c.Directories, c.DirectoryEvents, c.DirectoryRoot
	}
	if c.HashAlg != "" && c.HashAlg != suite.SHA256 {
		m["hash_alg"] = c.HashAlg
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("canonical checkpoint: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// checkpointLock is the advisory lock key that serialises checkpoint writers
// (a table lock would need UPDATE rights the application role does not have).
const checkpointLock = 0x6a75656365_01 // "juece", 1

// Checkpoint writes a checkpoint of every case's and every directory's chain
// head, unless nothing changed since the latest one: then it returns that one with written=false,
// so a daily job on a quiet system does not grow the table.
func (s *Store) Checkpoint(ctx context.Context, createdBy string) (Checkpoint, bool, error) {
	return s.checkpoint(ctx, createdBy, 0)
}

// CheckpointIfDue is Checkpoint for a schedule: it writes only when the
// latest checkpoint is at least every old (or there is none) and the record
// changed since. The decision is taken under the checkpoint lock from the
// table itself, so any number of processes can run the schedule, restart
// whenever they like, and still write one checkpoint per interval between
// them.
func (s *Store) CheckpointIfDue(ctx context.Context, createdBy string, every time.Duration) (Checkpoint, bool, error) {
	return s.checkpoint(ctx, createdBy, every)
}

// RunCheckpointSchedule writes a checkpoint whenever one is due
// (CheckpointIfDue), looking at start and then every poll, until ctx ends.
// A failure is logged and retried at the next poll. `juece serve` and
// `juece dev` run it (JUECE_CHECKPOINT_INTERVAL, default daily).
func (s *Store) RunCheckpointSchedule(ctx context.Context, createdBy string, every, poll time.Duration, log *slog.Logger) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		cp, written, err := s.CheckpointIfDue(ctx, createdBy, every)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.ErrorContext(ctx, "scheduled audit checkpoint failed", "err", err)
		case written:
			log.InfoContext(ctx, "audit checkpoint written", "seq", cp.Seq, "cases", cp.Cases, "events", cp.Events, "hash", cp.Hash)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Store) checkpoint(ctx context.Context, createdBy string, every time.Duration) (Checkpoint, bool, error) {
	var cp Checkpoint
	var written bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(checkpointLock)); err != nil {
			return fmt.Errorf("checkpoint lock: %w", err)
		}
		var last []Checkpoint
		if err := tx.SelectContext(ctx, &last, `SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`); err != nil {
			return fmt.Errorf("latest checkpoint: %w", err)
		}
		if every > 0 && len(last) == 1 && time.Since(last[0].At) < every {
			cp = last[0] // not due yet
			return nil
		}
		var alg suite.Name
		if err := tx.GetContext(ctx, &alg, `SELECT juece_hash_alg()`); err != nil {
			return fmt.Errorf("crypto suite: %w", err)
		}
		if alg == suite.SM3 && (s.Signer == nil || s.Signer.Alg() != suite.SigSM2) {
			return errors.New("the sm3 suite signs every checkpoint with SM2: JUECE_SIGNING_KEY must name an SM2 key (juece keys gen-sm2 FILE)")
		}
		var heads []CaseHead
		if err := tx.SelectContext(ctx, &heads, `SELECT id AS case_id, audit_seq, audit_head FROM cases`); err != nil {
			return fmt.Errorf("case heads: %w", err)
		}
		var dirHeads []CaseHead
		if err := tx.SelectContext(ctx, &dirHeads, `SELECT id AS case_id, audit_seq, audit_head FROM directories`); err != nil {
			return fmt.Errorf("directory heads: %w", err)
		}
		cp = Checkpoint{Seq: 1, PrevHash: GenesisHash, Cases: int64(len(heads)), Root: CheckpointRootOf(alg, heads), CreatedBy: createdBy,
			Directories: int64(len(dirHeads)), DirectoryRoot: CheckpointRootOf(alg, dirHeads), HashAlg: alg}
		for _, h := range heads {
			cp.Events += h.Seq
		}
		for _, h := range dirHeads {
			cp.DirectoryEvents += h.Seq
		}
		if len(last) == 1 {
			if last[0].Root == cp.Root && last[0].Cases == cp.Cases && last[0].Events == cp.Events &&
				last[0].DirectoryRoot == cp.DirectoryRoot && last[0].Directories == cp.Directories && last[0].DirectoryEvents == cp.DirectoryEvents {
				cp = last[0]
				return nil
			}
			cp.Seq, cp.PrevHash = last[0].Seq+1, last[0].Hash
		}
		cp.At = time.Now().UTC().Truncate(time.Microsecond)
		canon, err := cp.Canonical()
		if err != nil {
			return err
		}
		if cp.Hash, err = ChainHashOf(alg, cp.PrevHash, canon); err != nil {
			return err
		}
		if s.Signer != nil {
			sig, err := s.Signer.Sign([]byte(cp.Hash))
			if err != nil {
				return fmt.Errorf("sign checkpoint: %w", err)
			}
			cp.SigAlg, cp.PublicKey, cp.Signature = s.Signer.Alg(), s.Signer.PublicKey(), hex.EncodeToString(sig)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, at, cases, events, root, created_by,
			directories, directory_events, directory_root, prev_hash, hash, hash_alg, sig_alg, public_key, signature)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
			cp.Seq, cp.At, cp.Cases, cp.Events, cp.Root, cp.CreatedBy, cp.Directories, cp.DirectoryEvents, cp.DirectoryRoot, cp.PrevHash, cp.Hash,
			cp.HashAlg, cp.SigAlg, cp.PublicKey, cp.Signature)
		if err != nil {
			return fmt.Errorf("insert checkpoint: %w", mapErr(err))
		}
		if err := insertHeads(ctx, tx, "audit_checkpoint_cases", "case_id", cp.Seq, heads); err != nil {
			return err
		}
		if err := insertHeads(ctx, tx, "audit_checkpoint_directories", "directory_id", cp.Seq, dirHeads); err != nil {
			return err
		}
		written = true
		return nil
	})
	return cp, written, err
}

// insertHeads records the chain heads of a checkpoint in table, whose id
// column is idColumn (both constants of this file).
func insertHeads(ctx context.Context, tx *sqlx.Tx, table, idColumn string, seq int64, heads []CaseHead) error {
	ids, seqs, hs := make([]string, len(heads)), make([]int64, len(heads)), make([]string, len(heads))
	for i, h := range heads {
		ids[i], seqs[i], hs[i] = h.CaseID, h.Seq, h.Head
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (checkpoint_seq, `+idColumn+`, audit_seq, audit_head)
		SELECT $1, unnest($2::uuid[]), unnest($3::bigint[]), unnest($4::text[])`,
		seq, pq.Array(ids), pq.Array(seqs), pq.Array(hs))
	if err != nil {
		return fmt.Errorf("insert checkpoint heads into %s: %w", table, err)
	}
	return nil
}

// Checkpoints lists the latest checkpoints, newest first.
func (s *Store) Checkpoints(ctx context.Context, limit int) ([]Checkpoint, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	cps := []Checkpoint{}
	if err := s.DB.SelectContext(ctx, &cps, `SELECT * FROM audit_checkpoints ORDER BY seq DESC LIMIT $1`, limit); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return cps, nil
}

// AuditReport is the result of VerifyAll: the whole record, checked at once.
type AuditReport struct {
	OK               bool           `json:"ok"`
	At               time.Time      `json:"at"`
	Cases            int            `json:"cases"`
	Events           int64          `json:"events"`
	Documents        int64          `json:"documents"`
	Checkpoints      int64          `json:"checkpoints"`
	LatestCheckpoint *Checkpoint    `json:"latest_checkpoint,omitempty"`
	Problems         []AuditProblem `json:"problems"`
	// Truncated is set when more than MaxAuditProblems were found.
	Truncated bool `json:"problems_truncated,omitempty"`
	// AccessEvents and AccessHead describe the access log's chain (access.go).
	AccessEvents int64         `json:"access_events"`
	AccessHead   *ChainHeadRef `json:"access_head,omitempty"`
	// Directories and DirectoryEvents count the decision directories and
	// the events of their chains (directories.go).
	Directories     int   `json:"directories"`
	DirectoryEvents int64 `json:"directory_events"`
	// SigningKeys are the ids (suite.KeyID) of the public keys the
	// checkpoints' signatures verify with, in order of first use: compare
	// them with the keys the deployment published (a checkpoint re-signed
	// with another key verifies, with that key).
	SigningKeys []string `json:"signing_keys,omitempty"`
}

// MaxAuditProblems caps the problems a report lists.
const MaxAuditProblems = 1000

// Kinds of AuditProblem.
const (
	ProblemCaseChain       = "case_chain"       // a case's chain does not recompute (altered, removed or inserted events)
	ProblemCaseDeleted     = "case_deleted"     // a case a checkpoint recorded is gone
	ProblemEventsDeleted   = "events_deleted"   // events a checkpoint recorded are gone
	ProblemEventAltered    = "event_altered"    // the event at a checkpointed head is not the one recorded
	ProblemOrphanEvents    = "orphan_events"    // events of a case whose row is gone
	ProblemCheckpointChain = "checkpoint_chain" // the checkpoint chain itself does not recompute
	ProblemDocument        = "document_content" // stored bytes no longer hash to their address
	ProblemDocumentLink    = "document_link"    // a link and its document.attached event disagree, or one is missing
	ProblemAccessChain     = "access_chain"     // the access log's chain does not recompute (altered or removed rows)

	ProblemDirectoryChain         = "directory_chain"          // a directory's chain does not recompute (altered, removed or inserted events)
	ProblemDirectoryDeleted       = "directory_deleted"        // a directory a checkpoint recorded is gone
	ProblemDirectoryEventsDeleted = "directory_events_deleted" // directory events a checkpoint recorded are gone
	ProblemDirectoryEventAltered  = "directory_event_altered"  // the directory event at a checkpointed head is not the one recorded
	ProblemDirectoryOrphanEvents  = "directory_orphan_events"  // events of a directory whose row is gone
)

// AuditProblem names one thing that is wrong with the record.
type AuditProblem struct {
	Kind        string `json:"kind"`
	CaseID      string `json:"case_id,omitempty"`
	DirectoryID string `json:"directory_id,omitempty"`
	Seq         int64  `json:"seq,omitempty"`
	Checkpoint  int64  `json:"checkpoint,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Reason      string `json:"reason" description:"中文 / English"`
}

type reportBuilder struct {
	r AuditReport
}

func (a *reportBuilder) add(p AuditProblem) {
	if len(a.r.Problems) >= MaxAuditProblems {
		a.r.Truncated = true
		return
	}
	a.r.Problems = append(a.r.Problems, p)
}

// VerifyAll verifies the whole record: every case chain (as Verify does), the
// checkpoint chain and each checkpoint's roots over its recorded heads, that
// every (case, seq, head) any checkpoint recorded still exists unchanged (so a
// deleted case or tail is named), and that every stored document still hashes
// to its address and agrees with its document.attached event, the access
// log's chain (access.go), and every decision directory's chain
// (directories.go) with the directory heads checkpoints recorded. It reads
// everything; run it off-peak on large installations.
func (s *Store) VerifyAll(ctx context.Context) (AuditReport, error) {
	a := &reportBuilder{r: AuditReport{At: time.Now().UTC(), Problems: []AuditProblem{}}}
	steps := []func(context.Context, *reportBuilder) error{s.verifyCaseChains, s.verifyCheckpointChain, s.verifyCheckpointedHeads,
		s.verifyDocuments, s.verifyAccessChain, s.verifyDirectoryChains, s.verifyCheckpointDirectoryRoots, s.verifyCheckpointedDirectoryHeads}
	for _, step := range steps {
		if err := step(ctx, a); err != nil {
			return AuditReport{}, err
		}
	}
	a.r.OK = len(a.r.Problems) == 0 && !a.r.Truncated
	return a.r, nil
}

// verifyCaseChains streams every event in (case, seq) order and checks each
// case's chain against its row's head. One goroutine reads (the database
// sends rows while it scans them); the recomputation, which is most of the
// work, runs on every core, a case at a time, and the problems are reported
// in case order whatever order the workers finish in.
func (s *Store) verifyCaseChains(ctx context.Context, a *reportBuilder) error {
	var heads []CaseHead
	if err := s.DB.SelectContext(ctx, &heads, `SELECT id AS case_id, audit_seq, audit_head, hash_alg FROM cases ORDER BY id`); err != nil {
		return fmt.Errorf("case heads: %w", err)
	}
	byID := make(map[string]chainHead, len(heads))
	for _, h := range heads {
		byID[h.CaseID] = chainHead{Seq: h.Seq, Hash: h.Head, Alg: h.Alg}
	}
	a.r.Cases = len(heads)

	type job struct {
		n    int // the case's position in the stream, to report in order
		head chainHead
		evs  []AuditEvent
	}
	type found struct {
		n int
		p AuditProblem
	}
	var (
		mu       sync.Mutex
		problems []found
		wg       sync.WaitGroup
	)
	report := func(n int, p AuditProblem) {
		mu.Lock()
		problems = append(problems, found{n, p})
		mu.Unlock()
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, 2*workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if v := VerifyChain(j.evs, j.head); !v.OK {
					report(j.n, AuditProblem{Kind: ProblemCaseChain, CaseID: j.evs[0].CaseID, Seq: v.Broken.Seq, Reason: v.Broken.Reason})
				}
			}
		}()
	}
	err := s.streamCases(ctx, func(n int, evs []AuditEvent) {
		a.r.Events += int64(len(evs))
		head, ok := byID[evs[0].CaseID]
		if !ok {
			report(n, AuditProblem{Kind: ProblemOrphanEvents, CaseID: evs[0].CaseID, Seq: int64(len(evs)),
				Reason: fmt.Sprintf("决策事项记录已被删除，但留有 %d 个事件 / the case row is gone but %d of its events remain", len(evs), len(evs))})
			return
		}
		delete(byID, evs[0].CaseID) // seen
		jobs <- job{n: n, head: head, evs: evs}
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		return err
	}
	slices.SortFunc(problems, func(x, y found) int { return x.n - y.n })
	for _, f := range problems {
		a.add(f.p)
	}
	for _, h := range heads {
		if _, unseen := byID[h.CaseID]; unseen && h.Seq > 0 {
			a.add(AuditProblem{Kind: ProblemCaseChain, CaseID: h.CaseID, Seq: h.Seq,
				Reason: fmt.Sprintf("全部 %d 个事件已被删除 / all %d events of the case were deleted", h.Seq, h.Seq)})
		}
	}
	return nil
}

// streamCases reads every event in (case, seq) order and hands each case's
// events to fn, numbered in stream order. The columns are scanned directly:
// a reflective struct scan costs as much as hashing at this volume.
func (s *Store) streamCases(ctx context.Context, fn func(n int, evs []AuditEvent)) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT case_id, seq, event_key, at, action, actor_id, actor_name, actor_role, actor_org,
		on_behalf_of, task_id, request_id, client_addr, data, prev_hash, hash FROM audit_events ORDER BY case_id, seq`)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var evs []AuditEvent
	n := 0
	for rows.Next() {
		var e AuditEvent
		var data []byte
		if err := rows.Scan(&e.CaseID, &e.Seq, &e.EventKey, &e.At, &e.Action, &e.ActorID, &e.ActorName, &e.ActorRole, &e.ActorOrg,
			&e.OnBehalfOf, &e.TaskID, &e.RequestID, &e.ClientAddr, &data, &e.PrevHash, &e.Hash); err != nil {
			return fmt.Errorf("scan event: %w", err)
		}
		e.Data = data
		if len(evs) > 0 && e.CaseID != evs[0].CaseID {
			fn(n, evs)
			n++
			evs = nil
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	if len(evs) > 0 {
		fn(n, evs)
	}
	return nil
}

// verifyCheckpointChain recomputes the checkpoint chain and each checkpoint's
// root from its recorded heads.
func (s *Store) verifyCheckpointChain(ctx context.Context, a *reportBuilder) error {
	var cps []Checkpoint
	if err := s.DB.SelectContext(ctx, &cps, `SELECT * FROM audit_checkpoints ORDER BY seq`); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	a.r.Checkpoints = int64(len(cps))
	if len(cps) > 0 {
		last := cps[len(cps)-1]
		a.r.LatestCheckpoint = &last
	}
	prev := GenesisHash
	for i, cp := range cps {
		fail := func(reason string) {
			a.add(AuditProblem{Kind: ProblemCheckpointChain, Checkpoint: cp.Seq, Reason: reason})
		}
		if cp.Seq != int64(i+1) {
			fail(fmt.Sprintf("检查点序号不连续 / checkpoint sequence gap: expected %d", i+1))
			break
		}
		if cp.PrevHash != prev {
			fail("prev_hash 与上一检查点不符 / prev_hash does not match the previous checkpoint")
			break
		}
		canon, err := cp.Canonical()
		if err != nil {
			return err
		}
		if !cp.HashAlg.Known() {
			fail(fmt.Sprintf("未知哈希算法 %q / unknown hash algorithm %q", cp.HashAlg, cp.HashAlg))
			break
		}
		if h, err := ChainHashOf(cp.HashAlg, cp.PrevHash, canon); err != nil || h != cp.Hash {
			fail("检查点哈希不符，检查点被改动 / checkpoint hash mismatch: the checkpoint was altered")
			break
		}
		if cp.PublicKey != "" {
			if id := suite.KeyID([]byte(cp.PublicKey)); !slices.Contains(a.r.SigningKeys, id) {
				a.r.SigningKeys = append(a.r.SigningKeys, id)
			}
		}
		if err := cp.VerifySignature(); err != nil {
			fail(fmt.Sprintf("检查点 %d（%s）签名无效 / checkpoint %d (%s): bad signature: %v",
				cp.Seq, cp.At.Format("2006-01-02"), cp.Seq, cp.At.Format("2006-01-02"), err))
		}
		prev = cp.Hash
	}
	// Each checkpoint's root over its recorded heads, streamed in order.
	roots := make(map[int64]Checkpoint, len(cps))
	for _, cp := range cps {
		roots[cp.Seq] = cp
	}
	rows, err := s.DB.QueryxContext(ctx, `SELECT checkpoint_seq, case_id, audit_seq, audit_head
		FROM audit_checkpoint_cases ORDER BY checkpoint_seq, case_id`)
	if err != nil {
		return fmt.Errorf("checkpoint heads: %w", err)
	}
	defer rows.Close()
	var cur int64
	var heads []CaseHead
	checked := map[int64]bool{}
	check := func() {
		if cur == 0 {
			return
		}
		checked[cur] = true
		cp, ok := roots[cur]
		if !ok {
			a.add(AuditProblem{Kind: ProblemCheckpointChain, Checkpoint: cur, Reason: "链头记录所属检查点已被删除 / heads recorded for a checkpoint that is gone"})
			return
		}
		var events int64
		for _, h := range heads {
			events += h.Seq
		}
		if CheckpointRootOf(cp.HashAlg, heads) != cp.Root || int64(len(heads)) != cp.Cases || events != cp.Events {
			a.add(AuditProblem{Kind: ProblemCheckpointChain, Checkpoint: cur,
				Reason: "检查点所记链头与其根哈希不符，链头记录被改动 / the recorded case heads do not hash to the checkpoint's root: they were altered"})
		}
	}
	for rows.Next() {
		var row struct {
			CaseHead
			Checkpoint int64 `db:"checkpoint_seq"`
		}
		if err := rows.StructScan(&row); err != nil {
			return fmt.Errorf("scan checkpoint head: %w", err)
		}
		if row.Checkpoint != cur {
			check()
			cur, heads = row.Checkpoint, heads[:0]
		}
		heads = append(heads, row.CaseHead)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("checkpoint heads: %w", err)
	}
	check()
	for _, cp := range cps {
		if !checked[cp.Seq] && cp.Cases > 0 {
			a.add(AuditProblem{Kind: ProblemCheckpointChain, Checkpoint: cp.Seq, Reason: "检查点的链头记录已被删除 / the checkpoint's recorded case heads were deleted"})
		}
	}
	return nil
}

// verifyCheckpointedHeads compares every head any checkpoint recorded with
// the live record: the case must exist and its event at that seq must still
// have that hash. One problem per case, from the latest checkpoint naming it.
func (s *Store) verifyCheckpointedHeads(ctx context.Context, a *reportBuilder) error {
	var rows []struct {
		Checkpoint int64  `db:"checkpoint_seq"`
		CaseID     string `db:"case_id"`
		Seq        int64  `db:"audit_seq"`
		Head       string `db:"audit_head"`
		CaseExists bool   `db:"case_exists"`
		LiveSeq    int64  `db:"live_seq"`
		LiveHash   string `db:"live_hash"`
	}
	err := s.DB.SelectContext(ctx, &rows, `SELECT DISTINCT ON (cc.case_id)
			cc.checkpoint_seq, cc.case_id, cc.audit_seq, cc.audit_head,
			c.id IS NOT NULL AS case_exists, COALESCE(c.audit_seq, 0) AS live_seq, COALESCE(e.hash, '') AS live_hash
		FROM audit_checkpoint_cases cc
		LEFT JOIN cases c ON c.id = cc.case_id
		LEFT JOIN audit_events e ON e.case_id = cc.case_id AND e.seq = cc.audit_seq
		WHERE cc.audit_seq > 0 AND (c.id IS NULL OR e.hash IS DISTINCT FROM cc.audit_head)
		ORDER BY cc.case_id, cc.checkpoint_seq DESC`)
	if err != nil {
		return fmt.Errorf("checkpointed heads: %w", err)
	}
	for _, r := range rows {
		p := AuditProblem{CaseID: r.CaseID, Seq: r.Seq, Checkpoint: r.Checkpoint}
		switch {
		case !r.CaseExists:
			p.Kind = ProblemCaseDeleted
			p.Reason = fmt.Sprintf("决策事项已被删除：检查点 %d 记录其有 %d 个事件 / case deleted: checkpoint %d recorded it with %d events",
				r.Checkpoint, r.Seq, r.Checkpoint, r.Seq)
		case r.LiveHash == "":
			p.Kind = ProblemEventsDeleted
			p.Reason = fmt.Sprintf("事件被删除：检查点 %d 记录了第 %d 号事件，现已不存在 / events deleted: checkpoint %d recorded event %d, which is gone",
				r.Checkpoint, r.Seq, r.Checkpoint, r.Seq)
		default:
			p.Kind = ProblemEventAltered
			p.Reason = fmt.Sprintf("第 %d 号事件与检查点 %d 所记哈希不符 / event %d differs from the hash checkpoint %d recorded",
				r.Seq, r.Checkpoint, r.Seq, r.Checkpoint)
		}
		a.add(p)
	}
	return nil
}

// verifyDocuments rehashes every stored document inside PostgreSQL (the bytes
// do not cross the network) and checks every link against its event.
func (s *Store) verifyDocuments(ctx context.Context, a *reportBuilder) error {
	if err := s.DB.GetContext(ctx, &a.r.Documents, `SELECT count(*) FROM documents`); err != nil {
		return fmt.Errorf("count documents: %w", err)
	}
	var bad []struct {
		SHA256 string         `db:"sha256"`
		Actual string         `db:"actual"`
		Cases  pq.StringArray `db:"cases"`
	}
	err := s.DB.SelectContext(ctx, &bad, `SELECT d.sha256, encode(sha256(d.content), 'hex') AS actual,
			ARRAY(SELECT DISTINCT l.case_id::text FROM document_links l WHERE l.sha256 = d.sha256 ORDER BY 1) AS cases
		FROM documents d
		WHERE encode(sha256(d.content), 'hex') <> d.sha256 OR length(d.content) <> d.size
		ORDER BY d.sha256`)
	if err != nil {
		return fmt.Errorf("rehash documents: %w", err)
	}
	for _, d := range bad {
		p := AuditProblem{Kind: ProblemDocument, SHA256: d.SHA256,
			Reason: fmt.Sprintf("文件内容已被改动，现哈希为 %s / document content was altered: it now hashes to %s", d.Actual, d.Actual)}
		if len(d.Cases) == 0 {
			a.add(p)
		}
		for _, c := range d.Cases {
			p.CaseID = c
			a.add(p)
		}
	}
	var links []struct {
		CaseID   string `db:"case_id"`
		SHA256   string `db:"sha256"`
		Seq      *int64 `db:"seq"`
		DocFound bool   `db:"doc_found"`
	}
	err = s.DB.SelectContext(ctx, &links, `SELECT l.case_id, l.sha256, e.seq,
			EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = l.sha256) AS doc_found
		FROM document_links l
		LEFT JOIN audit_events e ON e.case_id = l.case_id AND e.event_key = 'document-' || l.id::text
		WHERE e.id IS NULL OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = l.sha256)
		   OR NOT COALESCE(e.data::jsonb->>'sha256' = l.sha256 AND e.data::jsonb->>'kind' = l.kind
				AND e.data::jsonb->>'name' = l.name AND e.data::jsonb->>'version' = l.version::text, false)
		ORDER BY l.case_id, l.created_at`)
	if err != nil {
		return fmt.Errorf("document links: %w", err)
	}
	for _, l := range links {
		p := AuditProblem{Kind: ProblemDocumentLink, CaseID: l.CaseID, SHA256: l.SHA256}
		if l.Seq != nil {
			p.Seq = *l.Seq
		}
		switch {
		case l.Seq == nil:
			p.Reason = "材料登记没有对应的 document.attached 事件 / a document link has no document.attached event"
		case !l.DocFound:
			p.Kind = ProblemDocument
			p.Reason = "材料文件已被删除 / the document's bytes were deleted"
		default:
			p.Reason = "材料登记与 document.attached 事件不符，登记被改动 / the document link disagrees with its document.attached event: the link was altered"
		}
		a.add(p)
	}
	var orphans []struct {
		CaseID string `db:"case_id"`
		Seq    int64  `db:"seq"`
		SHA256 string `db:"sha256"`
	}
	err = s.DB.SelectContext(ctx, &orphans, `SELECT e.case_id, e.seq, COALESCE(e.data::jsonb->>'sha256', '') AS sha256
		FROM audit_events e
		WHERE e.action = $1 AND NOT EXISTS (SELECT 1 FROM document_links l
			WHERE l.case_id = e.case_id AND 'document-' || l.id::text = e.event_key)
		ORDER BY e.case_id, e.seq`, ActionDocumentAttached)
	if err != nil {
		return fmt.Errorf("document events: %w", err)
	}
	for _, o := range orphans {
		a.add(AuditProblem{Kind: ProblemDocumentLink, CaseID: o.CaseID, Seq: o.Seq, SHA256: o.SHA256,
			Reason: "document.attached 事件的材料登记已被删除 / the document link of a document.attached event was deleted"})
	}
	return nil
}

// verifyCheckpointDirectoryRoots checks each checkpoint's directory root
// against the directory heads it recorded, as verifyCheckpointChain does for
// case heads. Checkpoints written before directories were checkpointed have
// no root and must have no directory heads.
func (s *Store) verifyCheckpointDirectoryRoots(ctx context.Context, a *reportBuilder) error {
	var cps []Checkpoint
	if err := s.DB.SelectContext(ctx, &cps, `SELECT * FROM audit_checkpoints ORDER BY seq`); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	bySeq := make(map[int64]Checkpoint, len(cps))
	for _, cp := range cps {
		bySeq[cp.Seq] = cp
	}
	var rows []struct {
		CaseHead
		Checkpoint int64 `db:"checkpoint_seq"`
	}
	if err := s.DB.SelectContext(ctx, &rows, `SELECT checkpoint_seq, directory_id AS case_id, audit_seq, audit_head
		FROM audit_checkpoint_directories ORDER BY checkpoint_seq, directory_id`); err != nil {
		return fmt.Errorf("checkpoint directory heads: %w", err)
	}
	heads := map[int64][]CaseHead{}
	var order []int64
	for _, r := range rows {
		if _, seen := heads[r.Checkpoint]; !seen {
			order = append(order, r.Checkpoint)
		}
		heads[r.Checkpoint] = append(heads[r.Checkpoint], r.CaseHead)
	}
	for _, seq := range order {
		cp, ok := bySeq[seq]
		switch {
		case !ok:
			a.add(AuditProblem{Kind: ProblemCheckpointChain, Checkpoint: seq,
				Reason: "目录链头记录所属检查点已被删除 / directory heads recorded for a checkpoint that is gone"})
		case cp.DirectoryRoot == "":
			a.add(AuditProblem{Kind: ProblemCheckpointChain, Checkpoint: seq,
				Reason: "检查点未记目录根哈希，却有目录链头记录，检查点被改动 / directory heads recorded for a checkpoint without a directory root: the checkpoint was altered"})
		default:
			var events int64
			for _, h := range heads[seq] {
				events += h.Seq
			}
			if CheckpointRootOf(cp.HashAlg, heads[seq]) != cp.DirectoryRoot || int64(len(heads[seq])) != cp.Directories || events != cp.DirectoryEvents {
				a.add(AuditProblem{Kind: ProblemCheckpointChain, Checkpoint: seq,
					Reason: "检查点所记目录链头与其根哈希不符，链头记录被改动 / the recorded directory heads do not hash to the checkpoint's directory root: they were altered"})
			}
		}
	}
	for _, cp := range cps {
		if _, ok := heads[cp.Seq]; !ok && cp.Directories > 0 {
			a.add(AuditProblem{Kind: ProblemCheckpointChain, Checkpoint: cp.Seq,
				Reason: "检查点的目录链头记录已被删除 / the checkpoint's recorded directory heads were deleted"})
		}
	}
	return nil
}

// verifyCheckpointedDirectoryHeads compares every directory head any
// checkpoint recorded with the live record, as verifyCheckpointedHeads does
// for cases: a directory removed with all its events is named.
func (s *Store) verifyCheckpointedDirectoryHeads(ctx context.Context, a *reportBuilder) error {
	var rows []struct {
		Checkpoint  int64  `db:"checkpoint_seq"`
		DirectoryID string `db:"directory_id"`
		Seq         int64  `db:"audit_seq"`
		Exists      bool   `db:"directory_exists"`
		LiveHash    string `db:"live_hash"`
	}
	err := s.DB.SelectContext(ctx, &rows, `SELECT DISTINCT ON (cd.directory_id)
			cd.checkpoint_seq, cd.directory_id, cd.audit_seq,
			d.id IS NOT NULL AS directory_exists, COALESCE(e.hash, '') AS live_hash
		FROM audit_checkpoint_directories cd
		LEFT JOIN directories d ON d.id = cd.directory_id
		LEFT JOIN directory_events e ON e.directory_id = cd.directory_id AND e.seq = cd.audit_seq
		WHERE cd.audit_seq > 0 AND (d.id IS NULL OR e.hash IS DISTINCT FROM cd.audit_head)
		ORDER BY cd.directory_id, cd.checkpoint_seq DESC`)
	if err != nil {
		return fmt.Errorf("checkpointed directory heads: %w", err)
	}
	for _, r := range rows {
		p := AuditProblem{DirectoryID: r.DirectoryID, Seq: r.Seq, Checkpoint: r.Checkpoint}
		switch {
		case !r.Exists:
			p.Kind = ProblemDirectoryDeleted
			p.Reason = fmt.Sprintf("决策事项目录已被删除：检查点 %d 记录其有 %d 个事件 / directory deleted: checkpoint %d recorded it with %d events",
				r.Checkpoint, r.Seq, r.Checkpoint, r.Seq)
		case r.LiveHash == "":
			p.Kind = ProblemDirectoryEventsDeleted
			p.Reason = fmt.Sprintf("目录事件被删除：检查点 %d 记录了第 %d 号事件，现已不存在 / directory events deleted: checkpoint %d recorded event %d, which is gone",
				r.Checkpoint, r.Seq, r.Checkpoint, r.Seq)
		default:
			p.Kind = ProblemDirectoryEventAltered
			p.Reason = fmt.Sprintf("目录第 %d 号事件与检查点 %d 所记哈希不符 / directory event %d differs from the hash checkpoint %d recorded",
				r.Seq, r.Checkpoint, r.Seq, r.Checkpoint)
		}
		a.add(p)
	}
	return nil
}
