package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/juece/juece/db/suite"
)

// GenesisHash is prev_hash of the first event of every case chain.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// AuditEvent is one entry of a case's tamper-evident record.
type AuditEvent struct {
	ID         int64           `db:"id" json:"-"`
	CaseID     string          `db:"case_id" json:"case_id"`
	Seq        int64           `db:"seq" json:"seq"`
	EventKey   string          `db:"event_key" json:"event_key"`
	At         time.Time       `db:"at" json:"at"`
	Action     string          `db:"action" json:"action"`
	ActorID    string          `db:"actor_id" json:"actor_id"`
	ActorName  string          `db:"actor_name" json:"actor_name"`
	ActorRole  string          `db:"actor_role" json:"actor_role"`
	ActorOrg   string          `db:"actor_org" json:"actor_org"`
	OnBehalfOf string          `db:"on_behalf_of" json:"on_behalf_of,omitempty"`
	TaskID     string          `db:"task_id" json:"task_id,omitempty"`
	RequestID  string          `db:"request_id" json:"request_id,omitempty"`
	ClientAddr string          `db:"client_addr" json:"client_addr,omitempty"`
	Data       json.RawMessage `db:"data" json:"data"`
	PrevHash   string          `db:"prev_hash" json:"prev_hash"`
	Hash       string          `db:"hash" json:"hash"`
}

// Canonical returns the bytes that are hashed for the event: a JSON object with
// keys sorted, no insignificant whitespace, no HTML escaping, times in UTC with
// microsecond precision (PostgreSQL's), and data re-encoded the same way.
// An auditor can recompute it offline from an exported timeline.
func (e AuditEvent) Canonical() ([]byte, error) {
	return canonicalEvent(map[string]any{
		"case_id":      e.CaseID,
		"seq":          e.Seq,
		"event_key":    e.EventKey,
		"at":           e.At.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"),
		"action":       e.Action,
		"actor":        map[string]any{"id": e.ActorID, "name": e.ActorName, "role": e.ActorRole, "org": e.ActorOrg},
		"on_behalf_of": e.OnBehalfOf,
		"task_id":      e.TaskID,
		"request_id":   e.RequestID,
		"client_addr":  e.ClientAddr,
	}, e.Data)
}

// canonicalEvent is how every chain hashes an event: its fields plus its
// data re-encoded under "data", keys sorted, no insignificant whitespace, no
// HTML escaping, numbers as written.
func canonicalEvent(fields map[string]any, raw json.RawMessage) ([]byte, error) {
	var data any
	if len(raw) > 0 {
		var err error
		if data, err = decodeNumbers(raw); err != nil {
			return nil, fmt.Errorf("canonical data: %w", err)
		}
	}
	fields["data"] = data
	b, err := encodeCanonical(fields)
	if err != nil {
		return nil, fmt.Errorf("canonical: %w", err)
	}
	return b, nil
}

// decodeNumbers decodes JSON keeping numbers as written.
func decodeNumbers(raw json.RawMessage) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&v)
	return v, err
}

// encodeCanonical encodes v with sorted keys, without HTML escaping or a
// trailing newline.
func encodeCanonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// appendCanonical appends to b what Canonical returns for e when e.Data is
// already in canonical form — as stored, since insertEvent writes data in
// that form — without reflection or re-encoding: verifying a million events
// is dominated by Canonical otherwise. VerifyChain tries it first and falls
// back to Canonical when the hash does not match, so data stored in another
// spelling of the same JSON costs time, never a wrong answer; a test keeps
// the two byte-identical on canonical data.
func (e AuditEvent) appendCanonical(b []byte) []byte {
	b = append(b, `{"action":`...)
	b = appendJSONString(b, e.Action)
	b = append(b, `,"actor":{"id":`...)
	b = appendJSONString(b, e.ActorID)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, e.ActorName)
	b = append(b, `,"org":`...)
	b = appendJSONString(b, e.ActorOrg)
	b = append(b, `,"role":`...)
	b = appendJSONString(b, e.ActorRole)
	b = append(b, `},"at":"`...)
	b = e.At.UTC().Truncate(time.Microsecond).AppendFormat(b, "2006-01-02T15:04:05.000000Z")
	b = append(b, `","case_id":`...)
	b = appendJSONString(b, e.CaseID)
	b = append(b, `,"client_addr":`...)
	b = appendJSONString(b, e.ClientAddr)
	b = append(b, `,"data":`...)
	if len(e.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Data...)
	}
	b = append(b, `,"event_key":`...)
	b = appendJSONString(b, e.EventKey)
	b = append(b, `,"on_behalf_of":`...)
	b = appendJSONString(b, e.OnBehalfOf)
	b = append(b, `,"request_id":`...)
	b = appendJSONString(b, e.RequestID)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"task_id":`...)
	b = appendJSONString(b, e.TaskID)
	return append(b, '}')
}

// appendJSONString is encoding/json's string encoding without HTML escaping
// (Encoder.SetEscapeHTML(false)): invalid UTF-8 becomes U+FFFD, U+2028 and
// U+2029 are escaped, control characters use \b \f \n \r \t or \u00XX.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ChainHash computes hash = sha256(prev_hash || canonical JSON), where prev_hash
// is the raw 32 bytes of the previous event's hash (zero bytes for the first).
func ChainHash(prevHash string, canonical []byte) (string, error) {
	return ChainHashOf(suite.SHA256, prevHash, canonical)
}

// ChainHashOf is ChainHash with the hash of suite alg: SM3 under the sm3
// suite (both hashes are 32 bytes, so the chains have one shape).
func ChainHashOf(alg suite.Name, prevHash string, canonical []byte) (string, error) {
	prev, err := hex.DecodeString(prevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("bad prev_hash %q", prevHash)
	}
	h := alg.New()
	h.Write(prev)
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// appendEvent appends e to its case chain inside tx. The case row must already be
// locked FOR UPDATE by the caller (lockCase). If an event with the same event_key
// exists, that event is returned and nothing is written: this is what makes
// retried activities land exactly once.
func appendEvent(ctx context.Context, tx *sqlx.Tx, head chainHead, e AuditEvent) (AuditEvent, bool, error) {
	ev, fresh, err := insertEvent(ctx, tx, head, e)
	if err != nil || !fresh {
		return ev, fresh, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET audit_seq = $2, audit_head = $3 WHERE id = $1`, ev.CaseID, ev.Seq, ev.Hash); err != nil {
		return AuditEvent{}, false, fmt.Errorf("advance chain head: %w", err)
	}
	return ev, true, nil
}

// insertEvent is appendEvent without moving the case's chain head: the
// caller moves it in the same statement as its other changes to the case.
func insertEvent(ctx context.Context, tx *sqlx.Tx, head chainHead, e AuditEvent) (AuditEvent, bool, error) {
	if head.key != e.EventKey || head.existing != nil {
		var existing AuditEvent
		err := tx.GetContext(ctx, &existing, `SELECT * FROM audit_events WHERE case_id = $1 AND event_key = $2`, e.CaseID, e.EventKey)
		if err == nil {
			return existing, false, nil
		}
		if err = mapErr(err); err != ErrNotFound {
			return AuditEvent{}, false, fmt.Errorf("find event %s: %w", e.EventKey, err)
		}
	}
	if len(e.Data) == 0 {
		e.Data = json.RawMessage(`{}`)
	}
	e.Seq = head.Seq + 1
	e.PrevHash = head.Hash
	if e.PrevHash == "" {
		e.PrevHash = GenesisHash
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	canon, err := e.Canonical()
	if err != nil {
		return AuditEvent{}, false, err
	}
	if e.Hash, err = ChainHashOf(head.Alg, e.PrevHash, canon); err != nil {
		return AuditEvent{}, false, err
	}
	// Store data in its canonical form so the stored text is exactly what was hashed.
	if e.Data, err = canonicalJSON(e.Data); err != nil {
		return AuditEvent{}, false, err
	}
	err = tx.GetContext(ctx, &e.ID, `INSERT INTO audit_events
		(case_id, seq, event_key, at, action, actor_id, actor_name, actor_role, actor_org,
		 on_behalf_of, task_id, request_id, client_addr, data, prev_hash, hash)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id`,
		e.CaseID, e.Seq, e.EventKey, e.At, e.Action, e.ActorID, e.ActorName, e.ActorRole, e.ActorOrg,
		e.OnBehalfOf, e.TaskID, e.RequestID, e.ClientAddr, string(e.Data), e.PrevHash, e.Hash)
	if err != nil {
		return AuditEvent{}, false, fmt.Errorf("insert event: %w", mapErr(err))
	}
	return e, true, nil
}

// canonicalJSON is data in the form it is hashed in.
func canonicalJSON(raw json.RawMessage) (json.RawMessage, error) {
	v, err := decodeNumbers(raw)
	if err != nil {
		return nil, fmt.Errorf("event data: %w", err)
	}
	return encodeCanonical(v)
}

type chainHead struct {
	Seq  int64  `db:"audit_seq"`
	Hash string `db:"audit_head"`
	// Alg is the case's chain hash (cases.hash_alg, migration 00140).
	Alg suite.Name `db:"hash_alg"`
	// key and existing, from lockCaseFor: whether an event with that key is
	// already recorded (saves a query on the hot path).
	key      string
	existing *int64
}

// lockCaseFor is lockCase that also looks up an event key in the same query.
func lockCaseFor(ctx context.Context, tx *sqlx.Tx, caseID, key string) (chainHead, error) {
	var h struct {
		chainHead
		Existing *int64 `db:"existing"`
	}
	err := tx.GetContext(ctx, &h, `SELECT c.audit_seq, c.audit_head, c.hash_alg,
		(SELECT e.id FROM audit_events e WHERE e.case_id = c.id AND e.event_key = $2) AS existing
		FROM cases c WHERE c.id = $1 FOR UPDATE OF c`, caseID, key)
	if err != nil {
		return chainHead{}, fmt.Errorf("lock case %s: %w", caseID, mapErr(err))
	}
	head := h.chainHead
	head.key, head.existing = key, h.Existing
	return head, nil
}

// lockOpenCase is lockCase for a write that a closed case no longer takes
// (a filed document, a disposition): ErrCaseClosed once the case is
// closed. The case row's lock orders it after the step that closed it.
func lockOpenCase(ctx context.Context, tx *sqlx.Tx, caseID string) (chainHead, error) {
	var h struct {
		chainHead
		State string `db:"state"`
	}
	err := tx.GetContext(ctx, &h, `SELECT audit_seq, audit_head, hash_alg, state FROM cases WHERE id = $1 FOR UPDATE`, caseID)
	if err != nil {
		return chainHead{}, fmt.Errorf("lock case %s: %w", caseID, mapErr(err))
	}
	if h.State == CaseStateClosed {
		return chainHead{}, fmt.Errorf("case %s: %w", caseID, ErrCaseClosed)
	}
	return h.chainHead, nil
}

// CaseStateClosed is the state of a case whose procedure has ended
// (workflows.StateClosed; db cannot import workflows).
const CaseStateClosed = "closed"

func lockCase(ctx context.Context, tx *sqlx.Tx, caseID string) (chainHead, error) {
	var h chainHead
	err := tx.GetContext(ctx, &h, `SELECT audit_seq, audit_head, hash_alg FROM cases WHERE id = $1 FOR UPDATE`, caseID)
	if err != nil {
		return h, fmt.Errorf("lock case %s: %w", caseID, mapErr(err))
	}
	return h, nil
}

// AppendEvent appends one event to a case chain on its own (used for refusals,
// which change nothing else).
func (s *Store) AppendEvent(ctx context.Context, e AuditEvent) (AuditEvent, error) {
	var out AuditEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		head, err := lockCase(ctx, tx, e.CaseID)
		if err != nil {
			return err
		}
		out, _, err = appendEvent(ctx, tx, head, e)
		return err
	})
	return out, err
}

// AppendEventTx appends e to its case chain inside tx, which the caller
// owns: a store of another package (db/participation) writes its rows and
// their audit event in one transaction. It locks the case row; an event with
// the same key already recorded is returned with fresh=false.
func AppendEventTx(ctx context.Context, tx *sqlx.Tx, e AuditEvent) (ev AuditEvent, fresh bool, err error) {
	head, err := lockCaseFor(ctx, tx, e.CaseID, e.EventKey)
	if err != nil {
		return AuditEvent{}, false, err
	}
	return appendEvent(ctx, tx, head, e)
}

// Timeline returns a case's events in chain order.
func (s *Store) Timeline(ctx context.Context, caseID string) ([]AuditEvent, error) {
	var evs []AuditEvent
	err := s.DB.SelectContext(ctx, &evs, `SELECT * FROM audit_events WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("timeline %s: %w", caseID, err)
	}
	return evs, nil
}

// Verification is the result of re-computing a case's hash chain.
type Verification struct {
	OK     bool          `json:"ok"`
	Events int           `json:"events"`
	Head   string        `json:"head,omitempty"`
	Broken *BrokenRecord `json:"first_broken,omitempty"`
}

// BrokenRecord names the first event whose stored hash does not match.
type BrokenRecord struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// VerifyChain recomputes every hash of the events in order and reports the
// first event that does not match its stored hash, its predecessor, or its
// position. It also checks the chain head recorded on the case row.
func VerifyChain(evs []AuditEvent, head chainHead) Verification {
	v := Verification{OK: true, Events: len(evs)}
	if !head.Alg.Known() {
		v.OK = false
		v.Broken = &BrokenRecord{Seq: 0, Reason: fmt.Sprintf("未知哈希算法 %q / unknown hash algorithm %q", head.Alg, head.Alg)}
		return v
	}
	prev := GenesisHash
	var buf []byte
	for i, e := range evs {
		fail := func(reason string) Verification {
			v.OK = false
			v.Broken = &BrokenRecord{Seq: e.Seq, Reason: reason}
			return v
		}
		if e.Seq != int64(i+1) {
			return fail(fmt.Sprintf("序号不连续 / sequence gap: expected %d", i+1))
		}
		if e.PrevHash != prev {
			return fail("prev_hash 与上一事件不符 / prev_hash does not match the previous event")
		}
		buf = e.appendCanonical(buf[:0])
		if h, err := ChainHashOf(head.Alg, e.PrevHash, buf); err != nil || h != e.Hash {
			// Not a match on the stored spelling of data: decide on the
			// canonical form proper.
			canon, err := e.Canonical()
			if err != nil {
				return fail("事件无法规范化 / event cannot be canonicalised")
			}
			h, err := ChainHashOf(head.Alg, e.PrevHash, canon)
			if err != nil || h != e.Hash {
				return fail("哈希不符，事件内容被改动 / hash mismatch: event content was altered")
			}
		}
		prev = e.Hash
	}
	if head.Seq != int64(len(evs)) || (len(evs) > 0 && head.Hash != prev) {
		v.OK = false
		v.Broken = &BrokenRecord{Seq: head.Seq, Reason: "链头与事件不符，事件被删除 / chain head does not match: events were removed"}
		return v
	}
	v.Head = prev
	return v
}

// Verify recomputes a case's chain from the database.
func (s *Store) Verify(ctx context.Context, caseID string) (Verification, error) {
	var head chainHead
	if err := s.DB.GetContext(ctx, &head, `SELECT audit_seq, audit_head, hash_alg FROM cases WHERE id = $1`, caseID); err != nil {
		return Verification{}, fmt.Errorf("case %s: %w", caseID, mapErr(err))
	}
	evs, err := s.Timeline(ctx, caseID)
	if err != nil {
		return Verification{}, err
	}
	return VerifyChain(evs, head), nil
}

// EventByKey finds the event an action with this key recorded, if any.
func (s *Store) EventByKey(ctx context.Context, caseID, key string) (AuditEvent, error) {
	var e AuditEvent
	err := s.DB.GetContext(ctx, &e, `SELECT * FROM audit_events WHERE case_id = $1 AND event_key = $2`, caseID, key)
	if err != nil {
		return e, fmt.Errorf("event %s: %w", key, mapErr(err))
	}
	return e, nil
}

// CompletionEvent finds the event that recorded a task's completion.
func (s *Store) CompletionEvent(ctx context.Context, caseID, taskID string) (AuditEvent, error) {
	var e AuditEvent
	err := s.DB.GetContext(ctx, &e, `SELECT * FROM audit_events WHERE case_id = $1 AND task_id = $2
		AND action LIKE 'task.completed.%' ORDER BY seq LIMIT 1`, caseID, taskID)
	if err != nil {
		return e, fmt.Errorf("completion of %s: %w", taskID, mapErr(err))
	}
	return e, nil
}
