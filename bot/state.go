package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
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
)

// state is what the bot waits for from one person in one place (channel
// and thread). It lives in the store, so a restart forgets nothing, and
// conversations in other places never mix with it.
type state struct {
	Await      string         `json:"await"`
	DealID     int64          `json:"deal_id,omitempty"`
	Key        string         `json:"key,omitempty"` // question or factor key
	Stage      string         `json:"stage,omitempty"`
	Cmd        *parse.Command `json:"cmd,omitempty"` // awaitPick: the command to finish
	Candidates []int64        `json:"candidates,omitempty"`
}

func (s state) ttl() time.Duration {
	if s.Await == awaitPick {
		return pickTTL
	}
	return questionTTL
}

// loadState returns the conversation's state; ok is false when there is
// none or it has expired.
func (b *Bot) loadState(ctx context.Context, t *turn) (state, bool, error) {
	raw, at, ok, err := b.cfg.Store.Conversation(ctx, t.person.ID, t.msg.scope())
	if err != nil || !ok {
		return state{}, false, err
	}
	var s state
	if json.Unmarshal(raw, &s) != nil || b.cfg.Now().Sub(at) > s.ttl() {
		return state{}, false, b.clearState(ctx, t)
	}
	return s, true, nil
}

func (b *Bot) saveState(ctx context.Context, t *turn, s state) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode conversation state: %w", err)
	}
	return b.cfg.Store.SaveConversation(ctx, t.person.ID, t.msg.scope(), raw)
}

func (b *Bot) clearState(ctx context.Context, t *turn) error {
	return b.cfg.Store.SaveConversation(ctx, t.person.ID, t.msg.scope(), nil)
}

// resume gives a message to what the conversation is waiting for. handled
// is false when the message is not an answer to it: then it is read as a
// command of its own.
func (b *Bot) resume(ctx context.Context, t *turn, cmd parse.Command, s state) (r Reply, handled bool, err error) {
	switch s.Await {
	case awaitPick:
		if err := b.clearState(ctx, t); err != nil {
			return Reply{}, false, err
		}
		id := pickedID(t.msg.Text, cmd, s.Candidates)
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
	case awaitQuestion, awaitNext, awaitFactor:
		if b.isCommand(ctx, t, cmd) {
			return Reply{}, false, nil // the question stays pending
		}
		return b.answer(ctx, t, cmd, s)
	}
	return Reply{}, false, b.clearState(ctx, t)
}
