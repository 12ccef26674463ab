package dossier

import (
	"fmt"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/suite"
)

// CheckpointFile holds the latest global checkpoint that recorded the case
// (db.Checkpoint: its hash algorithm, signature and the public key that
// verifies it) and every case head it recorded, so that Verify recomputes
// its root and hash and checks its signature offline, and finds the case's
// own head in it. A dossier of a case no checkpoint recorded yet has none.
const CheckpointFile = "checkpoint.json"

// Checkpoint is the content of CheckpointFile.
type Checkpoint struct {
	Checkpoint db.Checkpoint `json:"checkpoint"`
	// KeyID is suite.KeyID of the public key: compare it with the one the
	// deployment published.
	KeyID string        `json:"key_id,omitempty"`
	Heads []db.CaseHead `json:"heads"`
}

// checkpointOf is what Export writes, nil when no checkpoint recorded the case.
func checkpointOf(rec db.CaseRecord) *Checkpoint {
	if rec.Checkpoint == nil {
		return nil
	}
	c := &Checkpoint{Checkpoint: *rec.Checkpoint, Heads: rec.CheckpointHeads}
	if c.Heads == nil {
		c.Heads = []db.CaseHead{}
	}
	if c.Checkpoint.PublicKey != "" {
		c.KeyID = suite.KeyID([]byte(c.Checkpoint.PublicKey))
	}
	return c
}

// CheckpointInfo is what Verify found in CheckpointFile.
type CheckpointInfo struct {
	Seq     int64      `json:"seq"`
	Day     string     `json:"day"`
	HashAlg suite.Name `json:"hash_alg"`
	SigAlg  string     `json:"sig_alg,omitempty"`
	KeyID   string     `json:"key_id,omitempty"`
	// CaseSeq is the case's head the checkpoint recorded.
	CaseSeq int64 `json:"case_seq"`
}

// verifyCheckpoint checks a dossier's checkpoint: its hash over its fields,
// its root over the heads it carries, its signature, its algorithm against
// the chain's, and the case's head in it against the dossier's events.
// Every problem names the checkpoint by sequence and day.
func verifyCheckpoint(c Checkpoint, caseID string, alg suite.Name, evs []db.AuditEvent) (CheckpointInfo, []Problem) {
	cp := c.Checkpoint
	day := cp.At.UTC().Format("2006-01-02")
	info := CheckpointInfo{Seq: cp.Seq, Day: day, HashAlg: cp.HashAlg, SigAlg: cp.SigAlg}
	if cp.PublicKey != "" {
		info.KeyID = suite.KeyID([]byte(cp.PublicKey))
	}
	var out []Problem
	fail := func(zh, en string) {
		out = append(out, Problem{File: CheckpointFile, Reason: fmt.Sprintf("检查点 %d（%s）%s / checkpoint %d (%s): %s", cp.Seq, day, zh, cp.Seq, day, en)})
	}
	if !cp.HashAlg.Known() {
		fail("哈希算法未知", fmt.Sprintf("unknown hash algorithm %q", cp.HashAlg))
		return info, out
	}
	if norm(cp.HashAlg) != norm(alg) {
		fail(fmt.Sprintf("的哈希算法 %s 与审计链的 %s 不符", norm(cp.HashAlg), norm(alg)),
			fmt.Sprintf("hash algorithm %s differs from the chain's %s", norm(cp.HashAlg), norm(alg)))
	}
	canon, err := cp.Canonical()
	if err != nil {
		fail("无法规范化", "cannot be canonicalised")
		return info, out
	}
	if h, err := db.ChainHashOf(cp.HashAlg, cp.PrevHash, canon); err != nil || h != cp.Hash {
		fail("哈希不符，检查点被改动", "hash mismatch: the checkpoint was altered")
	}
	if err := cp.VerifySignature(); err != nil {
		fail("签名无效："+err.Error(), "bad signature: "+err.Error())
	}
	heads := append([]db.CaseHead(nil), c.Heads...)
	var events int64
	for _, h := range heads {
		events += h.Seq
	}
	if db.CheckpointRootOf(cp.HashAlg, heads) != cp.Root || int64(len(heads)) != cp.Cases || events != cp.Events {
		fail("所记链头与其根哈希不符", "the case heads do not hash to the checkpoint's root")
	}
	found := false
	for _, h := range c.Heads {
		if h.CaseID != caseID {
			continue
		}
		found, info.CaseSeq = true, h.Seq
		if h.Seq < 1 || h.Seq > int64(len(evs)) || evs[h.Seq-1].Hash != h.Head {
			fail(fmt.Sprintf("记录本事项第 %d 号事件的哈希 %s，与档案中的事件不符", h.Seq, h.Head),
				fmt.Sprintf("recorded event %d of this case with hash %s, which the dossier's events do not have", h.Seq, h.Head))
		}
	}
	if !found {
		fail("未记录本决策事项", "does not record this case")
	}
	return info, out
}

// norm reads a recorded suite name, "" being sha256.
func norm(n suite.Name) suite.Name {
	if n == "" {
		return suite.SHA256
	}
	return n
}
