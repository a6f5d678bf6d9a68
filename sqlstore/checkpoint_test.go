package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tandem"
	"tandem/checkpoint"
	"tandem/sqlstore"
)

// A checkpoint falls due when the chain passes every CheckpointEvery
// entries. On PostgreSQL the chainer appends the entries and signs the
// checkpoint itself, while it holds the chain: a second chaining from
// there would wait on itself for ever. One batch of more than
// CheckpointEvery entries, then a read of the trail, must end with a
// checkpoint of the head, not hang.
func TestCheckpoint_SignedWhenTheChainPassesTheInterval(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		st, _, path := signing(t, e)
		log, err := checkpoint.OpenLog(path)
		if err != nil {
			t.Fatal(err)
		}
		defer log.Close()

		done := make(chan error, 1)
		go func() {
			err := st.Batch(e.system(), func(ctx context.Context) error {
				admin := tandem.NewContextWithOfficer(ctx, e.admin)
				for i := 0; i < sqlstore.CheckpointEvery+5; i++ {
					if _, err := st.CreateOfficer(admin, tandem.OfficerCreate{Username: fmt.Sprintf("o%04d", i), Name: fmt.Sprintf("Officer %d", i), Gender: "male", Unit: "north", Roles: []tandem.Role{tandem.RoleHandler}}); err != nil {
						return fmt.Errorf("officer %d: %w", i, err)
					}
				}
				return nil
			})
			if err == nil {
				// Reading the trail chains whatever is pending first.
				_, err = st.ListAudit(tandem.NewContextWithOfficer(e.system(), e.auditor), 0, 1)
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(time.Minute):
			t.Fatal("the batch and the read did not finish in a minute: the chain waits on itself")
		}
		last, ok, err := log.Last()
		if err != nil || !ok {
			t.Fatalf("no checkpoint after %d entries: %v, %v", sqlstore.CheckpointEvery+5, ok, err)
		}
		if last.Size < sqlstore.CheckpointEvery {
			t.Fatalf("last checkpoint of %d entries, want at least %d", last.Size, sqlstore.CheckpointEvery)
		}
	})
}

// TestRevealIdentity_SignedBeforeItAnswers: by the time a reveal (or a
// break-glass) returns the identity, a signed checkpoint on disk covers
// its audit entry, so it cannot be cut from the unsigned tail after a
// crash.
func TestRevealIdentity_SignedBeforeItAnswers(t *testing.T) {
	suite(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		st, _, path := signing(t, e)
		src, err := st.CreateSource(e.as(e.ha), tandem.SourceCreate{Gender: "female", Identity: tandem.Identity{LegalName: "Wren Ashdown", DateOfBirth: "1990-04-05"}, RecruitedOn: "2025-01-02"})
		if err != nil {
			t.Fatal(err)
		}
		for _, who := range []*tandem.Officer{e.ha, e.auditor} { // the handler, and an auditor breaking the glass
			// A fresh checkpoint first, then the look, a second later.
			if err := st.Checkpoint(e.system(), true); err != nil {
				t.Fatal(err)
			}
			e.now = e.now.Add(time.Second)
			if _, err := st.RevealIdentity(e.as(who), src.ID, "arranging the next meeting with the source"); err != nil {
				t.Fatalf("%s reveals: %v", who.Username, err)
			}
			evs, err := st.ListAudit(e.as(e.auditor), 0, 100000)
			if err != nil {
				t.Fatal(err)
			}
			var revealAt int64
			for _, ev := range evs {
				if ev.Action == "source.identity.reveal" || ev.Action == "source.identity.break_glass" {
					revealAt = ev.Seq
				}
			}
			// Read the file afresh, as a process after a crash would.
			again, err := checkpoint.OpenLog(path)
			if err != nil {
				t.Fatal(err)
			}
			last, ok, err := again.Last()
			again.Close()
			if err != nil || !ok || int64(last.Size) < revealAt {
				t.Errorf("%s: the last checkpoint on disk covers %d entries; the reveal is entry %d (%v)", who.Username, last.Size, revealAt, err)
			}
		}
	})
}
