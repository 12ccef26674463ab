package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// ErrAltered reports stored bytes whose SHA-256 is no longer the address they
// were stored under: someone changed the record behind the application.
var ErrAltered = errors.New("stored content does not match its sha256")

// BlobStore keeps document bytes addressed by their SHA-256. It is an
// interface so that bytes can later move to object storage while links, the
// audit chain and checkpoints stay in PostgreSQL. Put is idempotent: the same
// bytes always land at the same address.
type BlobStore interface {
	Put(ctx context.Context, content []byte, mediaType string) (sha string, err error)
	// Get returns the bytes and their media type. When the bytes no longer
	// hash to sha it returns them together with an error wrapping ErrAltered,
	// so a caller can refuse to serve them or still export them as evidence.
	Get(ctx context.Context, sha string) ([]byte, string, error)
}

// SHA256Hex is the address of content: its SHA-256 in lower-case hex.
func SHA256Hex(content []byte) string {
	h := sha256.Sum256(content)
	return hex.EncodeToString(h[:])
}

// Blobs is the PostgreSQL BlobStore (the documents table).
func (s *Store) Blobs() BlobStore { return pgBlobs{s.DB} }

type pgBlobs struct{ db *sqlx.DB }

// Put stores content once; documents.created_by stays empty because the same
// bytes may be uploaded by several people: each upload's author is on its
// document_links row and in its audit event.
func (b pgBlobs) Put(ctx context.Context, content []byte, mediaType string) (string, error) {
	sha := SHA256Hex(content)
	_, err := b.db.ExecContext(ctx, `INSERT INTO documents (sha256, media_type, size, content)
		VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`, sha, mediaType, len(content), content)
	if err != nil {
		return "", fmt.Errorf("store document %s: %w", sha, mapErr(err))
	}
	return sha, nil
}

func (b pgBlobs) Get(ctx context.Context, sha string) ([]byte, string, error) {
	var row struct {
		MediaType string `db:"media_type"`
		Content   []byte `db:"content"`
	}
	if err := b.db.GetContext(ctx, &row, `SELECT media_type, content FROM documents WHERE sha256 = $1`, sha); err != nil {
		return nil, "", fmt.Errorf("document %s: %w", sha, mapErr(err))
	}
	if got := SHA256Hex(row.Content); got != sha {
		return row.Content, row.MediaType, fmt.Errorf("document %s hashes to %s: %w", sha, got, ErrAltered)
	}
	return row.Content, row.MediaType, nil
}

// DocumentKinds are what a document can be to a case (document_links.kind).
var DocumentKinds = []string{"draft", "opinion", "minutes", "publication", "attachment"}

// DocumentLink is one document filed in a case: R-ARC-01's checksum
// (SHA256), timestamp (CreatedAt) and uploader (CreatedBy). A new upload under
// the same kind and name is the next Version; nothing is overwritten.
type DocumentLink struct {
	ID            string    `db:"id" json:"id"`
	SHA256        string    `db:"sha256" json:"sha256"`
	CaseID        string    `db:"case_id" json:"case_id"`
	TaskID        *string   `db:"task_id" json:"task_id,omitempty"`
	Kind          string    `db:"kind" json:"kind"`
	Name          string    `db:"name" json:"name"`
	Version       int       `db:"version" json:"version"`
	Stage         string    `db:"stage" json:"stage"`
	CreatedBy     string    `db:"created_by" json:"created_by"`
	CreatedByName string    `db:"created_by_name" json:"created_by_name"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
	MediaType     string    `db:"media_type" json:"media_type"`
	Size          int64     `db:"size" json:"size"`
}

// DocumentEventKey is the audit event key of a link: VerifyAll finds each
// link's event by it.
func DocumentEventKey(linkID string) string { return "document-" + linkID }

// ActionDocumentAttached is the audit action of a filed document.
const ActionDocumentAttached = "document.attached"

// DocumentAttached is the data of a document.attached audit event. The chain
// thereby fixes which bytes were filed, so a swapped file or a re-pointed link
// is detected even by an offline check of an exported dossier.
type DocumentAttached struct {
	LinkID    string `json:"link_id"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Version   int    `json:"version"`
	Stage     string `json:"stage"`
}

const linkSelect = `SELECT l.*, d.media_type, d.size, COALESCE(u.name, '') AS created_by_name
	FROM document_links l JOIN documents d ON d.sha256 = l.sha256 LEFT JOIN users u ON u.id = l.created_by`

// AttachDocument files a stored document (BlobStore.Put first) in a case:
// the link and its document.attached event are written in one transaction
// under the case's chain lock, so there is never a link without its event.
// link needs SHA256, CaseID, Kind, Name, Stage, CreatedBy and optionally
// TaskID; actor carries who did it (actor, request and client fields of the
// event). Filing the same bytes again under the same kind and name changes
// nothing and returns the existing link with fresh=false. A closed case
// takes no document: ErrCaseClosed.
func (s *Store) AttachDocument(ctx context.Context, link DocumentLink, actor AuditEvent) (out DocumentLink, ev AuditEvent, fresh bool, err error) {
	if !slices.Contains(DocumentKinds, link.Kind) {
		return out, ev, false, fmt.Errorf("unknown document kind %q", link.Kind)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		head, err := lockOpenCase(ctx, tx, link.CaseID)
		if err != nil {
			return err
		}
		var latest []DocumentLink
		err = tx.SelectContext(ctx, &latest, linkSelect+` WHERE l.case_id = $1 AND l.kind = $2 AND l.name = $3
			ORDER BY l.version DESC LIMIT 1`, link.CaseID, link.Kind, link.Name)
		if err != nil {
			return fmt.Errorf("latest version of %s: %w", link.Name, err)
		}
		if len(latest) == 1 && latest[0].SHA256 == link.SHA256 {
			out = latest[0]
			err := tx.GetContext(ctx, &ev, `SELECT * FROM audit_events WHERE case_id = $1 AND event_key = $2`,
				link.CaseID, DocumentEventKey(out.ID))
			if err != nil { // a link without its event: the record was altered (VerifyAll names it)
				return fmt.Errorf("event of document link %s: %w", out.ID, err)
			}
			return nil
		}
		link.Version = 1
		if len(latest) == 1 {
			link.Version = latest[0].Version + 1
		}
		var doc struct {
			MediaType string `db:"media_type"`
			Size      int64  `db:"size"`
		}
		if err := tx.GetContext(ctx, &doc, `SELECT media_type, size FROM documents WHERE sha256 = $1`, link.SHA256); err != nil {
			return fmt.Errorf("document %s: %w", link.SHA256, mapErr(err))
		}
		link.ID = uuid.NewString()
		link.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
		link.MediaType, link.Size = doc.MediaType, doc.Size
		_, err = tx.ExecContext(ctx, `INSERT INTO document_links
			(id, sha256, case_id, task_id, kind, name, version, stage, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
			link.ID, link.SHA256, link.CaseID, link.TaskID, link.Kind, link.Name, link.Version, link.Stage, link.CreatedBy, link.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert document link: %w", mapErr(err))
		}
		data, err := json.Marshal(DocumentAttached{LinkID: link.ID, SHA256: link.SHA256, Size: link.Size, MediaType: link.MediaType,
			Kind: link.Kind, Name: link.Name, Version: link.Version, Stage: link.Stage})
		if err != nil {
			return err
		}
		e := actor
		e.CaseID, e.EventKey, e.At, e.Action, e.Data = link.CaseID, DocumentEventKey(link.ID), link.CreatedAt, ActionDocumentAttached, data
		if link.TaskID != nil {
			e.TaskID = *link.TaskID
		}
		ev, _, err = appendEvent(ctx, tx, head, e)
		out, fresh = link, true
		return err
	})
	if err != nil {
		return DocumentLink{}, AuditEvent{}, false, err
	}
	if fresh && out.CreatedByName == "" {
		out.CreatedByName = actor.ActorName
	}
	return out, ev, fresh, nil
}

// CaseDocuments lists the documents filed in a case, oldest first.
func (s *Store) CaseDocuments(ctx context.Context, caseID string) ([]DocumentLink, error) {
	links := []DocumentLink{}
	err := s.DB.SelectContext(ctx, &links, linkSelect+` WHERE l.case_id = $1 ORDER BY l.created_at, l.kind, l.name, l.version`, caseID)
	if err != nil {
		return nil, fmt.Errorf("documents of case %s: %w", caseID, err)
	}
	return links, nil
}

// DocumentLinks lists every filing of one document, in any case; the API
// serves a document to whoever may see one of those cases.
func (s *Store) DocumentLinks(ctx context.Context, sha string) ([]DocumentLink, error) {
	links := []DocumentLink{}
	if err := s.DB.SelectContext(ctx, &links, linkSelect+` WHERE l.sha256 = $1 ORDER BY l.created_at`, sha); err != nil {
		return nil, fmt.Errorf("links of document %s: %w", sha, err)
	}
	return links, nil
}

// DocumentExists says whether bytes are stored under sha.
func (s *Store) DocumentExists(ctx context.Context, sha string) (bool, error) {
	var ok bool
	err := s.DB.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM documents WHERE sha256 = $1)`, sha)
	if err != nil {
		return false, fmt.Errorf("document %s: %w", sha, err)
	}
	return ok, nil
}
