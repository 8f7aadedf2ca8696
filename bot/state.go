package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/store"
)

// awaitTTL is how long the bot keeps waiting for an answer in a
// conversation; after it, a message is read afresh. Coaching questions wait
// longer: a rep may answer after lunch.
const (
	pickTTL     = 30 * time.Minute
	questionTTL = 24 * time.Hour
)

// What a conversation can be waiting for.
const (
	awaitPick     = "pick"     // which of several deals was meant
	awaitQuestion = "question" // the answer to a push question
	awaitNext     = "next"     // the next step of a deal, and its date
	awaitFactor   = "factor"   // a C/F/W mark in the qualification walk
	awaitTopic    = "topic"    // nothing: the deal the conversation is about, for an update that names none
)

// state is what the bot waits for from one person in one place (channel
// and thread). It lives in the store, so a restart forgets nothing, and
// conversations in other places never mix with it.
type state struct {
	Await      string          `json:"await"`
	DealID     int64           `json:"deal_id,omitempty"`
	Key        string          `json:"key,omitempty"` // question or factor key
	Stage      string          `json:"stage,omitempty"`
	Cmd        *parse.Command  `json:"cmd,omitempty"` // awaitPick: the command to finish
	Candidates []int64         `json:"candidates,omitempty"`
	Cmds       []parse.Command `json:"cmds,omitempty"`  // awaitConfirm: the changes to apply on yes
	Token      string          `json:"token,omitempty"` // awaitConfirm, awaitPick: what its buttons carry (confirmToken)
}

func (s state) ttl() time.Duration {
	if s.Await == awaitPick || s.Await == awaitConfirm || s.Await == awaitTopic {
		return pickTTL
	}
	return questionTTL
}

// loadState reads the conversation's state into the turn; ok is false when
// there is none or it has expired.
func (b *Bot) loadState(ctx context.Context, t *turn) (state, bool, error) {
	raw, at := t.stateRaw, t.stateAt
	if raw == nil {
		return state{}, false, nil
	}
	var s state
	if json.Unmarshal(raw, &s) != nil || b.cfg.Now().Sub(at) > s.ttl() {
		b.endWait(t)
		return state{}, false, nil
	}
	t.cur, t.waiting = s, true
	return s, true, nil
}

// stateChange is what a turn does to its conversation's state. It is
// written once, at the end of the turn, or in the commit of the deal
// change it follows (one commit instead of two per update).
type stateChange struct {
	set     *state // nil: delete
	written bool
}

// await records s as the conversation's next state in the turn; nothing
// is written here: the turn's commit (or flushState) writes it.
func (b *Bot) await(t *turn, s state) {
	t.change = &stateChange{set: &s}
	t.cur, t.waiting = s, true
}

// endWait records in the turn that the conversation waits for nothing
// any more; the turn's commit (or flushState) writes it.
func (b *Bot) endWait(t *turn) {
	t.change = &stateChange{}
	t.cur, t.waiting = state{}, false
}

// conv is the turn's state change as a store write, unless written
// already; committed says it was.
func (t *turn) conv() (*store.Conv, error) {
	if t.change == nil || t.change.written {
		return nil, nil
	}
	c := &store.Conv{PersonID: t.person.ID, Scope: t.msg.scope()}
	if t.change.set != nil {
		raw, err := json.Marshal(t.change.set)
		if err != nil {
			return nil, fmt.Errorf("encode conversation state: %w", err)
		}
		c.State = raw
	}
	return c, nil
}

// committed records that the turn's state change, if any, was written.
func (t *turn) committed() {
	if t.change != nil {
		t.change.written = true
	}
}

// snapshot is the turn as it stands, for restore to go back to when a
// change it worked out is not committed (refused, or run again on a deal
// that changed meanwhile).
func (t *turn) snapshot() turn {
	s := *t
	if t.change != nil {
		c := *t.change
		s.change = &c
	}
	return s
}

// restore puts the turn back as snapshot s had it.
func (t *turn) restore(s turn) {
	*t = s.snapshot()
}

// flushState writes the turn's state change if no deal change carried it.
func (b *Bot) flushState(ctx context.Context, t *turn) error {
	c, err := t.conv()
	if err != nil || c == nil {
		return err
	}
	if err := t.st.SaveConversation(ctx, c.PersonID, c.Scope, c.State); err != nil {
		return err
	}
	t.committed()
	return nil
}

// resume gives a message to what the conversation is waiting for. handled
// is false when the message is not an answer to it: then it is read as a
// command of its own.
func (b *Bot) resume(ctx context.Context, t *turn, cmd parse.Command, s state) (r Reply, handled bool, err error) {
	switch s.Await {
	case awaitPick:
		b.endWait(t)
		id := pickedID(t.msg.Text, cmd, s.Candidates)
		if id == 0 {
			id = b.pickedByName(ctx, t.msg.Text, s.Candidates) // "数据中台", "核心系统那个"
		}
		if yn := answerYesNo(t.msg.Text); id == 0 && yn == 1 && len(s.Candidates) == 1 {
			id = s.Candidates[0] // "Did you mean 中信 · 云平台?" "yes"
		} else if id == 0 && yn == -1 {
			return textReply(t.lang, b.text(t.lang, "read.cancelled")), true, nil
		}
		if id == 0 || s.Cmd == nil {
			return Reply{}, false, nil
		}
		c := *s.Cmd
		c.Ref = parse.Ref{ID: id}
		if c.Lang != "" {
			t.lang = c.Lang
		}
		r, err := b.onDeal(ctx, t, c)
		return r, true, err
	case awaitConfirm:
		return b.confirmed(ctx, t, s)
	case awaitTopic:
		return Reply{}, false, nil // read afresh; free text about no deal is about this one
	case awaitQuestion, awaitNext, awaitFactor:
		if t.free && cmd.Ref.ID != 0 {
			return Reply{}, false, nil // "#12": a deal named by id is never an answer
		} else if t.free {
			// An update, a deal's name or a question about one is not an
			// answer: it is read as what it is, and the question keeps waiting.
			upd, err := b.readsAsUpdate(ctx, t, cmd)
			if err != nil || upd {
				return Reply{}, false, err
			}
		} else if b.isCommand(ctx, t, cmd) {
			return Reply{}, false, nil // the question stays pending
		}
		return b.answer(ctx, t, cmd, s)
	}
	b.endWait(t)
	return Reply{}, false, nil
}

// setTopic remembers the deal this turn is about, when the conversation
// waits for nothing else: an update that names no deal next applies to it.
func (b *Bot) setTopic(t *turn, dealID int64) {
	if dealID == 0 || t.change != nil || t.waiting && t.cur.Await != awaitTopic {
		return
	}
	if t.waiting && t.cur.DealID == dealID {
		return // already the topic: no write
	}
	s := state{Await: awaitTopic, DealID: dealID}
	t.change = &stateChange{set: &s}
}
