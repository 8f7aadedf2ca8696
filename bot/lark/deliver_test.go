package lark

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
	"github.com/dealcoach/dealcoach/store"
)

const createPath = "/open-apis/im/v1/messages"

func digestReply() bot.Reply {
	return bot.Reply{Lang: "zh", Blocks: []bot.Block{
		{Kind: bot.HeaderBlock, Text: "本周商机"},
		{Kind: bot.ListBlock, Items: []string{"经信银行 120万 立项", "华东电力 80万 初步接洽"}},
	}}
}

func reminderReply(text string) bot.Reply {
	return bot.Reply{Lang: "en", Blocks: []bot.Block{{Kind: bot.TextBlock, Text: text}}}
}

// longReply pages into several cards.
func longReply() bot.Reply {
	r := bot.Reply{Lang: "zh"}
	for i := range 20 {
		r.Blocks = append(r.Blocks, bot.Block{Kind: bot.TextBlock, Text: strings.Repeat("商机进展", 250) + string(rune('甲'+i))})
	}
	return r
}

// outboxEnv is a real outbox.Sender over the harness's store and adapter,
// on a clock the test moves.
type outboxEnv struct {
	*harness
	now time.Time
	s   *outbox.Sender
}

const testLease = time.Minute

func newOutboxEnv(t *testing.T) *outboxEnv { return outboxEnvOn(newHarness(t)) }

func outboxEnvOn(h *harness) *outboxEnv {
	e := &outboxEnv{harness: h, now: testNow}
	e.s = outbox.NewSender(e.db, platform, e.a.Deliverer(), outbox.Config{Now: func() time.Time { return e.now },
		Lease: testLease, Log: slog.New(slog.DiscardHandler)})
	return e
}

func (e *outboxEnv) enqueue(key, channel string, r bot.Reply) {
	e.t.Helper()
	payload, err := outbox.Payload(r)
	if err != nil {
		e.t.Fatal(err)
	}
	fresh, err := e.db.Enqueue(context.Background(), store.OutboxMessage{IdemKey: key, Platform: platform, Channel: channel, Payload: payload})
	if err != nil || !fresh {
		e.t.Fatalf("enqueue %s: %v, %v", key, fresh, err)
	}
}

func (e *outboxEnv) once() int {
	e.t.Helper()
	n, err := e.s.Once(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *outboxEnv) message(key string) store.OutboxMessage {
	e.t.Helper()
	m, err := e.db.OutboxByKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// receivers lists calls as "receive_id_type:receive_id".
func receivers(calls []larkCall) []string {
	var out []string
	for _, c := range calls {
		to, _ := c.Body["receive_id"].(string)
		out = append(out, c.Query.Get("receive_id_type")+":"+to)
	}
	return out
}

func uuidOf(c larkCall) string { u, _ := c.Body["uuid"].(string); return u }

func TestDeliverToAChatAndToAPerson(t *testing.T) {
	h := newHarness(t)
	d := h.a.Deliverer()
	ctx := context.Background()
	digest := outbox.Message{ID: 1, IdemKey: "digest/2026-W48/oc_team", Platform: platform, Channel: "oc_team", CreatedAt: testNow}
	nudge := outbox.Message{ID: 2, IdemKey: "nudge/2026-11-24/ou_wang", Platform: platform, Channel: "ou_wang", CreatedAt: testNow}
	if err := d.Deliver(ctx, digest, digestReply()); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, nudge, reminderReply("3 deals need a next step today")); err != nil {
		t.Fatal(err)
	}
	calls := h.lark.calls(createPath)
	if got := receivers(calls); len(got) != 2 || got[0] != "chat_id:oc_team" || got[1] != "open_id:ou_wang" {
		t.Fatalf("sent to %v", got)
	}
	for i, want := range []struct {
		m outbox.Message
		r bot.Reply
	}{{digest, digestReply()}, {nudge, reminderReply("3 deals need a next step today")}} {
		c := calls[i]
		if c.Method != "POST" || c.Path != createPath || c.Body["msg_type"] != "interactive" {
			t.Errorf("call %d: %s %s %s", i, c.Method, c.Path, c.Raw)
		}
		same(t, cardOf(t, c), Cards(want.r, h.a.moreFormat(want.r.Lang), maxCards)[0])
		if u := uuidOf(c); u != outboxUUID(want.m.IdemKey, 0) || len(u) > 50 {
			t.Errorf("call %d: uuid %q, want %q (at most 50 characters)", i, u, outboxUUID(want.m.IdemKey, 0))
		}
	}
	if uuidOf(calls[0]) == uuidOf(calls[1]) {
		t.Fatal("two messages share a uuid: Lark would drop the second")
	}
	if !strings.Contains(calls[0].Body["content"].(string), "经信银行") {
		t.Errorf("digest content: %s", calls[0].Body["content"])
	}

	// Delivered again (a retry): the same uuid, and Lark shows nothing new.
	if err := d.Deliver(ctx, digest, digestReply()); err != nil {
		t.Fatal(err)
	}
	calls = h.lark.calls(createPath)
	if len(calls) != 3 || uuidOf(calls[2]) != uuidOf(calls[0]) || !calls[2].Dup || len(h.lark.shown(createPath)) != 2 {
		t.Fatalf("resend: %d calls, uuid %q then %q, %d shown", len(calls), uuidOf(calls[0]), uuidOf(calls[2]), len(h.lark.shown(createPath)))
	}
}

func TestDeliverPagesALongReplyUnderAUUIDEach(t *testing.T) {
	h := newHarness(t)
	r := longReply()
	cards := Cards(r, h.a.moreFormat(r.Lang), maxCards)
	if len(cards) < 2 {
		t.Fatalf("%d cards: the reply is too short for this test", len(cards))
	}
	m := outbox.Message{ID: 1, IdemKey: "digest/2026-W48/oc_team", Platform: platform, Channel: "oc_team", CreatedAt: testNow}
	if err := h.a.Deliverer().Deliver(context.Background(), m, r); err != nil {
		t.Fatal(err)
	}
	calls := h.lark.calls(createPath)
	if len(calls) != len(cards) {
		t.Fatalf("%d calls for %d cards", len(calls), len(cards))
	}
	seen := map[string]bool{}
	for i, c := range calls {
		same(t, cardOf(t, c), cards[i])
		u := uuidOf(c)
		if u != outboxUUID(m.IdemKey, i) || len(u) > 50 || seen[u] {
			t.Errorf("card %d: uuid %q", i, u)
		}
		seen[u] = true
	}
}

func TestDeliverRefusesAChannelThatIsNoLarkRecipient(t *testing.T) {
	h := newHarness(t)
	d := h.a.Deliverer()
	err := d.Deliver(context.Background(), outbox.Message{IdemKey: "k", Channel: "C0123"}, reminderReply("hi"))
	if err == nil || !strings.Contains(err.Error(), "C0123") {
		t.Fatalf("err = %v", err)
	}
	if retry, _ := d.Classify(err); retry {
		t.Fatal("a channel that is no Lark recipient is retried")
	}
	if n := len(h.lark.calls(createPath)) + h.lark.refusedCalls(createPath); n != 0 {
		t.Fatalf("%d calls", n)
	}
}

func TestOutboxSendsEachMessageOnceInOrder(t *testing.T) {
	e := newOutboxEnv(t)
	e.enqueue("digest/2026-W48/oc_team", "oc_team", digestReply())
	e.enqueue("nudge/2026-11-24/ou_wang", "ou_wang", reminderReply("Follow up with 经信银行"))
	e.enqueue("nudge/2026-11-24/oc_team", "oc_team", reminderReply("Team: 2 deals stalled"))
	if n := e.once(); n != 3 {
		t.Fatalf("sent %d, want 3", n)
	}
	calls := e.lark.calls(createPath)
	want := []string{"chat_id:oc_team", "open_id:ou_wang", "chat_id:oc_team"}
	if got := receivers(calls); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("sent to %v, want %v", got, want)
	}
	for i, text := range []string{"本周商机", "经信银行", "2 deals stalled"} {
		if !strings.Contains(calls[i].Body["content"].(string), text) {
			t.Errorf("message %d is %s, want %q: order lost", i, calls[i].Body["content"], text)
		}
	}
	for _, key := range []string{"digest/2026-W48/oc_team", "nudge/2026-11-24/ou_wang", "nudge/2026-11-24/oc_team"} {
		if m := e.message(key); !m.SentAt.Equal(e.now) || m.LastError != "" || m.Attempts != 1 {
			t.Errorf("%s: sent at %v, error %q, %d attempts", key, m.SentAt, m.LastError, m.Attempts)
		}
	}
	e.now = e.now.Add(time.Hour)
	if n := e.once(); n != 0 || len(e.lark.calls(createPath)) != 3 {
		t.Fatalf("sent again: %d", n)
	}
}

// A crash after Lark took the message but before the outbox marked it:
// the claim outlives its lease, and the message is sent again under the
// same uuid, which Lark answers with the message it already shows.
func TestOutboxCrashBetweenDeliveryAndMarkingShowsOnce(t *testing.T) {
	e := newOutboxEnv(t)
	ctx := context.Background()
	key := "nudge/2026-11-24/ou_wang"
	e.enqueue(key, "ou_wang", reminderReply("Follow up with 经信银行"))
	claimed, err := e.db.Claim(ctx, platform, e.now, testLease, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if err := e.a.Deliverer().Deliver(ctx, outbox.MessageOf(claimed[0]), reminderReply("Follow up with 经信银行")); err != nil {
		t.Fatal(err)
	}
	// The process dies here: no MarkSent.
	e.now = e.now.Add(testLease + time.Second)
	if n := e.once(); n != 1 {
		t.Fatalf("sent %d after the lease, want 1", n)
	}
	calls := e.lark.calls(createPath)
	if len(calls) != 2 || uuidOf(calls[0]) != uuidOf(calls[1]) || uuidOf(calls[0]) != outboxUUID(key, 0) {
		t.Fatalf("%d sends, uuids %v", len(calls), []string{uuidOf(calls[0]), uuidOf(calls[len(calls)-1])})
	}
	if shown := e.lark.shown(createPath); len(shown) != 1 || !calls[1].Dup {
		t.Fatalf("Lark shows %d messages, want 1", len(shown))
	}
	if m := e.message(key); !m.SentAt.Equal(e.now) || m.Attempts != 2 {
		t.Fatalf("sent at %v after %d attempts", m.SentAt, m.Attempts)
	}
}

func TestOutboxRateLimitedMessagesWaitAndKeepOrder(t *testing.T) {
	e := newOutboxEnv(t)
	e.enqueue("a1", "oc_a", reminderReply("first to a"))
	e.enqueue("b1", "oc_b", reminderReply("first to b"))
	e.enqueue("a2", "oc_a", reminderReply("second to a"))
	e.lark.limit(createPath, 1, true) // a1: HTTP 429, reset 1 s
	if n := e.once(); n != 1 {
		t.Fatalf("sent %d, want 1 (oc_b's; oc_a waits)", n)
	}
	if m := e.message("a1"); !m.SentAt.IsZero() || !strings.Contains(m.LastError, "99991400") || !m.NextAttemptAt.Equal(e.now.Add(time.Second)) {
		t.Fatalf("a1: sent %v, error %q, next %v", m.SentAt, m.LastError, m.NextAttemptAt)
	}
	if m := e.message("a2"); !m.SentAt.IsZero() {
		t.Fatal("a2 was sent before a1")
	}
	e.now = e.now.Add(time.Second)
	if n := e.once(); n != 2 {
		t.Fatalf("sent %d after the reset, want 2", n)
	}
	var got []string
	for _, c := range e.lark.shown(createPath) {
		got = append(got, c.Body["content"].(string))
	}
	for i, want := range []string{"first to b", "first to a", "second to a"} {
		if i >= len(got) || !strings.Contains(got[i], want) {
			t.Fatalf("shown %v, want %q at %d", got, want, i)
		}
	}
	if len(got) != 3 || e.lark.refusedCalls(createPath) != 1 {
		t.Fatalf("%d shown, %d refused", len(got), e.lark.refusedCalls(createPath))
	}
}

func TestOutboxGivesUpOnAChatTheBotIsNotIn(t *testing.T) {
	e := newOutboxEnv(t)
	e.lark.leave("oc_gone")
	e.enqueue("gone", "oc_gone", reminderReply("to a chat the bot left"))
	e.enqueue("slack", "C0123", reminderReply("a Slack channel"))
	e.enqueue("team", "oc_team", reminderReply("to the team"))
	if n := e.once(); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	for key, want := range map[string]string{"gone": "230002", "slack": "C0123"} {
		m := e.message(key)
		if !m.SentAt.IsZero() || !strings.Contains(m.LastError, want) || m.NextAttemptAt.Year() != 9999 {
			t.Errorf("%s: sent %v, error %q, next %v; want given up", key, m.SentAt, m.LastError, m.NextAttemptAt)
		}
	}
	e.now = e.now.Add(24 * time.Hour)
	if n := e.once(); n != 0 || e.lark.refusedCalls(createPath) != 1 || len(e.lark.calls(createPath)) != 1 {
		t.Fatalf("retried: sent %d, %d refused", n, e.lark.refusedCalls(createPath))
	}
}

func TestDeliveredWarnsOnlyPastTheUUIDWindow(t *testing.T) {
	h := newHarness(t)
	var logs bytes.Buffer
	now := testNow
	d := &deliverer{a: h.a, now: func() time.Time { return now }, log: slog.New(slog.NewTextHandler(&logs, nil))}
	m := outbox.Message{IdemKey: "nudge/2026-11-24/ou_wang", Channel: "ou_wang", CreatedAt: testNow}
	for _, tc := range []struct {
		age  time.Duration
		warn bool
	}{{0, false}, {49 * time.Minute, false}, {50 * time.Minute, true}, {3 * time.Hour, true}} {
		logs.Reset()
		now = testNow.Add(tc.age)
		done, err := d.Delivered(context.Background(), m)
		if done || err != nil {
			t.Fatalf("age %v: Delivered = %v, %v; want false: Lark has no lookup by uuid", tc.age, done, err)
		}
		if warned := strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), m.IdemKey); warned != tc.warn {
			t.Errorf("age %v: warned %v, want %v: %s", tc.age, warned, tc.warn, logs.String())
		}
	}
	if len(h.lark.calls("/open-apis/im/")) != 0 {
		t.Fatal("Delivered called Lark")
	}
}
