package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"tandem"
	"tandem/audit"
	"tandem/checkpoint"
)

// PageAudit returns a page of the trail, read through the index of its
// sequence numbers, or of its actors and actions when one is asked for:
// the newest entries cost the same after ten years as on day one. Only
// auditors read the trail.
func (s *Store) PageAudit(ctx context.Context, f tandem.AuditFilter) (*tandem.AuditPage, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return nil, err
	}
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	if err := s.chain(ctx); err != nil {
		return nil, err
	}
	where, args := []string{}, []any{}
	order := `seq`
	if f.Newest {
		order = `seq DESC`
		if f.BeforeSeq > 0 {
			where, args = append(where, `seq < ?`), append(args, f.BeforeSeq)
		}
	} else {
		where, args = append(where, `seq > ?`), append(args, f.AfterSeq)
	}
	if f.Action != "" {
		where, args = append(where, `action = ?`), append(args, f.Action)
	}
	if f.Actor != "" {
		where, args = append(where, `actor = ?`), append(args, f.Actor)
	}
	if len(where) == 0 {
		where = append(where, `1 = 1`)
	}
	page := &tandem.AuditPage{Events: []*tandem.AuditEvent{}}
	err = s.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT seq, at, actor, action, object_type, object_id, reason, record_hash, prev_hash, hash FROM audit_events WHERE `+
			strings.Join(where, ` AND `)+` ORDER BY `+order+` LIMIT ?`, append(args, limit+1)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAuditEvent(rows)
			if err != nil {
				return err
			}
			if len(page.Events) == limit {
				next := page.Events[limit-1].Seq
				page.Next = &next
				return nil
			}
			page.Events = append(page.Events, e)
		}
		return rows.Err()
	})
	return page, err
}

// recentEntries is how far back VerifyRecent checks the chain when the
// store keeps no checkpoints.
const recentEntries = 2000

// VerifyRecent checks the trail from the latest signed checkpoint to the
// head: the checkpoint's signature, that the tree its rows keep has the
// root it signed, and every entry since, linked and hashed. A checkpoint
// is signed at least every minute and every thousand entries, so this
// reads a few thousand entries at most. The whole trail and every record
// are `audit verify`'s work.
func (s *Store) VerifyRecent(ctx context.Context) (string, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return "", err
	}
	if err := s.chain(ctx); err != nil {
		return "", err
	}
	var cp *checkpoint.Checkpoint
	if s.checkpoints != nil {
		last, ok, err := s.checkpoints.log.Last()
		if err != nil {
			return "", fmt.Errorf("checkpoints: %w", err)
		}
		if ok {
			if _, err := checkpoint.Open(last.Note, s.checkpoints.key.Verifier()); err != nil {
				return "", fmt.Errorf("the latest checkpoint (%d entries): %v", last.Size, err)
			}
			cp = &last
		}
	}
	var from int64
	var head *tandem.AuditEvent
	var count int64
	err := s.view(ctx, func(tx *Tx) error {
		if cp == nil {
			var max int64
			if err := tx.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&max); err != nil {
				return err
			}
			from = max - recentEntries
		} else {
			from = int64(cp.Size)
			r, _, err := tx.treeRange(cp.Size)
			if err != nil {
				return fmt.Errorf("the first %d entries, signed in the latest checkpoint: %w", cp.Size, err)
			}
			root, err := checkpoint.Root(r)
			if err != nil {
				return err
			}
			if !bytes.Equal(root, cp.Root) {
				return fmt.Errorf("the first %d entries do not match the latest checkpoint: the trail was rewritten", cp.Size)
			}
		}
		rows, err := tx.query(`SELECT seq, at, actor, action, object_type, object_id, reason, record_hash, prev_hash, hash FROM audit_events WHERE seq >= ? ORDER BY seq`, max(from, 1))
		if err != nil {
			return err
		}
		defer rows.Close()
		var prev *tandem.AuditEvent
		for rows.Next() {
			e, err := scanAuditEvent(rows)
			if err != nil {
				return err
			}
			switch {
			case prev == nil && cp != nil && e.Seq != from:
				return fmt.Errorf("audit entry %d, signed in the latest checkpoint, is missing", from)
			case prev != nil && e.Seq != prev.Seq+1:
				return fmt.Errorf("audit entry %d: expected entry %d here: an entry was removed or reordered", e.Seq, prev.Seq+1)
			case prev != nil && e.PrevHash != prev.Hash:
				return fmt.Errorf("audit entry %d: its previous hash does not match entry %d: the chain was broken", e.Seq, prev.Seq)
			case audit.Hash(e) != e.Hash:
				return fmt.Errorf("audit entry %d: its hash does not match its contents: the entry was altered", e.Seq)
			}
			prev, head = e, e
			count++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if cp != nil && cp.Size > 0 && head == nil {
			return fmt.Errorf("audit entry %d, signed in the latest checkpoint, is missing: the trail was cut", from)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	switch {
	case head == nil && cp == nil:
		return "the audit trail is empty", nil
	case cp == nil:
		return fmt.Sprintf("the newest %d entries chain to the head (entry %d); the store keeps no signed checkpoints", count, head.Seq), nil
	case head == nil:
		return "the audit trail is empty, as its latest checkpoint says", nil
	}
	return fmt.Sprintf("entries %d to %d chain from the latest signed checkpoint, of the first %d entries; `tandem audit verify` checks the whole trail and every record",
		from, head.Seq, cp.Size), nil
}
