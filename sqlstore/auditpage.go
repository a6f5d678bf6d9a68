package sqlstore

import (
	"context"
	"crypto/ed25519"
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

// VerifyRecent checks the chain from the latest signed checkpoint to the
// head: the checkpoint's signature, the entry it names, and every entry
// since, linked and hashed. A checkpoint is signed at least every minute
// and every thousand entries, so this reads a few thousand entries at
// most. The whole trail and every record are `audit verify`'s work.
func (s *Store) VerifyRecent(ctx context.Context) (string, error) {
	if _, err := requireRole(ctx, tandem.RoleAuditor); err != nil {
		return "", err
	}
	if err := s.chain(ctx); err != nil {
		return "", err
	}
	var from int64
	var cp *checkpoint.Checkpoint
	if s.checkpoints != nil {
		last, ok, err := s.checkpoints.log.Last()
		if err != nil {
			return "", fmt.Errorf("checkpoints: %w", err)
		}
		if ok {
			cp, from = &last, last.Seq
		}
	}
	var head *tandem.AuditEvent
	var count int64
	signedHash := "" // the stored hash of the entry the checkpoint signs
	err := s.view(ctx, func(tx *Tx) error {
		if cp == nil {
			var max int64
			if err := tx.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&max); err != nil {
				return err
			}
			from = max - recentEntries
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
			case prev == nil && cp != nil && e.Seq != cp.Seq:
				return fmt.Errorf("audit entry %d, signed in the latest checkpoint, is missing", cp.Seq)
			case prev != nil && e.Seq != prev.Seq+1:
				return fmt.Errorf("audit entry %d: expected entry %d here: an entry was removed or reordered", e.Seq, prev.Seq+1)
			case prev != nil && e.PrevHash != prev.Hash:
				return fmt.Errorf("audit entry %d: its previous hash does not match entry %d: the chain was broken", e.Seq, prev.Seq)
			case audit.Hash(e) != e.Hash:
				return fmt.Errorf("audit entry %d: its hash does not match its contents: the entry was altered", e.Seq)
			}
			if prev == nil {
				signedHash = e.Hash
			}
			prev, head = e, e
			count++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if cp != nil && head == nil {
			return fmt.Errorf("audit entry %d, signed in the latest checkpoint, is missing: the trail was cut", cp.Seq)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if cp == nil {
		if head == nil {
			return "the audit trail is empty", nil
		}
		return fmt.Sprintf("the newest %d entries chain to the head (entry %d); the store keeps no signed checkpoints", count, head.Seq), nil
	}
	pub := s.checkpoints.key.Public().(ed25519.PublicKey)
	if err := checkpoint.Verify(pub, []checkpoint.Checkpoint{*cp}, func(seq int64) (string, bool) {
		return signedHash, seq == cp.Seq
	}, head.Seq); err != nil {
		return "", err
	}
	return fmt.Sprintf("entries %d to %d chain from the checkpoint of entry %d, signed %s; `tandem audit verify` checks the whole trail and every record",
		cp.Seq, head.Seq, cp.Seq, cp.At.UTC().Format("2006-01-02 15:04 UTC")), nil
}
