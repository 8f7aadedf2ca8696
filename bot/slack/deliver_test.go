package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
	"github.com/dealcoach/dealcoach/store"
)

// outboxMeta is a posted message's metadata as chat.postMessage took it.
type outboxMeta struct {
	EventType    string `json:"event_type"`
	EventPayload struct {
		Key  string `json:"key"`
		Page int    `json:"page"`
	} `json:"event_payload"`
}

func metaOf(t *testing.T, c apiCall) outboxMeta {
	t.Helper()
	var m outboxMeta
	if err := json.Unmarshal([]byte(c.Form.Get("metadata")), &m); err != nil {
		t.Fatalf("metadata of %v: %v", c.Form, err)
	}
	return m
}

// wantPost checks a post: where, which message and page, and that its
// blocks show text.
func wantPost(t *testing.T, c apiCall, channel, key string, page int, text string) {
	t.Helper()
	m := metaOf(t, c)
	enc, _ := json.Marshal(text) // as the blocks' JSON has it
	if c.Form.Get("channel") != channel || m.EventType != "dealcoach_outbox" || m.EventPayload.Key != key ||
		m.EventPayload.Page != page || !strings.Contains(c.Form.Get("blocks"), string(enc[1:len(enc)-1])) {
		t.Fatalf("posted %s page %d with %+v to %s, showing %s; want %s page %d to %s showing %q",
			m.EventPayload.Key, m.EventPayload.Page, m, c.Form.Get("channel"), c.Form.Get("blocks"), key, page, channel, text)
	}
}

func textReply(text string) bot.Reply {
	return bot.Reply{Lang: "en", Blocks: []bot.Block{{Kind: bot.TextBlock, Text: text}}}
}

// useClock makes the fake Slack stamp messages at testNow, as the real
// one would stamp them at the time they are posted.
func (h *harness) useClock(historyPage int) {
	h.api.mu.Lock()
	h.api.epoch, h.api.historyPage = testNow.Unix(), historyPage
	h.api.mu.Unlock()
}

// enqueue writes a one-paragraph message to the outbox.
func (h *harness) enqueue(key, channel, text string) {
	h.t.Helper()
	h.enqueueReply(key, channel, textReply(text))
}

// enqueueReply writes r to the outbox.
func (h *harness) enqueueReply(key, channel string, r bot.Reply) {
	h.t.Helper()
	p, err := outbox.Payload(r)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.db.Enqueue(context.Background(), store.OutboxMessage{IdemKey: key, Platform: "slack", Channel: channel, Payload: p}); err != nil {
		h.t.Fatal(err)
	}
}

// sender is an outbox sender of Slack's messages through the adapter,
// on the clock *now.
func (h *harness) sender(now *time.Time) *outbox.Sender {
	return outbox.NewSender(h.db, "slack", h.a.Deliverer(), outbox.Config{Now: func() time.Time { return *now },
		Lease: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func (h *harness) once(s *outbox.Sender, want int) {
	h.t.Helper()
	n, err := s.Once(context.Background())
	if err != nil || n != want {
		h.t.Fatalf("sent %d (%v), want %d", n, err, want)
	}
}

func (h *harness) outboxed(key string) store.OutboxMessage {
	h.t.Helper()
	m, err := h.db.OutboxByKey(context.Background(), key)
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

func TestDeliverPostsToChannelsAndDMsWithTheKey(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	d := h.a.Deliverer()

	digest := bot.Reply{Lang: "en", Blocks: []bot.Block{{Kind: bot.HeaderBlock, Text: "Weekly digest"},
		{Kind: bot.TextBlock, Text: "Acme <b> & co: 120k"}}}
	if err := d.Deliver(ctx, outbox.Message{IdemKey: "digest/2026-W48/C1", Channel: "C1"}, digest); err != nil {
		t.Fatal(err)
	}
	posts := h.api.of("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("posted %d messages", len(posts))
	}
	wantPost(t, posts[0], "C1", "digest/2026-W48/C1", 0, "Acme &lt;b&gt; &amp; co: 120k")
	if got := posts[0].Form.Get("text"); got != fallback(digest) || !strings.Contains(got, "Weekly digest") {
		t.Fatalf("fallback text %q", got)
	}

	for _, day := range []string{"2026-11-24", "2026-11-25"} {
		m := outbox.Message{IdemKey: "reminder/" + day + "/U7", Channel: "U7"}
		if err := d.Deliver(ctx, m, textReply("Call Acme on "+day)); err != nil {
			t.Fatal(err)
		}
	}
	opens := h.api.of("conversations.open")
	if len(opens) != 1 || opens[0].Form.Get("users") != "U7" {
		t.Fatalf("conversations.open: %v, want once for U7", opens)
	}
	posts = h.api.of("chat.postMessage")
	wantPost(t, posts[1], "DU7", "reminder/2026-11-24/U7", 0, "Call Acme on 2026-11-24")
	wantPost(t, posts[2], "DU7", "reminder/2026-11-25/U7", 0, "Call Acme on 2026-11-25")
}

func TestDeliverPagesALongMessageEachWithTheKey(t *testing.T) {
	h := newHarness(t)
	r := bot.Reply{Lang: "en"}
	for i := range 120 {
		r.Blocks = append(r.Blocks, bot.Block{Kind: bot.TextBlock, Text: fmt.Sprintf("Deal %03d", i)})
	}
	pages := h.a.pages(r)
	if len(pages) < 3 {
		t.Fatalf("%d pages: the reply is not long enough to test paging", len(pages))
	}
	if err := h.a.Deliverer().Deliver(context.Background(), outbox.Message{IdemKey: "digest/long", Channel: "C1"}, r); err != nil {
		t.Fatal(err)
	}
	posts := h.api.of("chat.postMessage")
	if len(posts) != len(pages) {
		t.Fatalf("posted %d messages for %d pages", len(posts), len(pages))
	}
	for i, p := range posts {
		wantPost(t, p, "C1", "digest/long", i, "Deal ")
		want, _ := json.Marshal(pages[i])
		if p.Form.Get("blocks") != string(want) || p.Form.Get("text") != pageText(r, i) {
			t.Fatalf("page %d posted as %q, %s", i, p.Form.Get("text"), p.Form.Get("blocks"))
		}
	}
}

func TestSenderDeliversTheOutboxOnceInOrder(t *testing.T) {
	h := newHarness(t)
	now := testNow
	h.enqueue("digest/2026-W48/C1", "C1", "Digest of week 48")
	h.enqueue("reminder/2026-11-24/U7", "U7", "Call Acme")
	h.enqueue("note/2026-11-24/C1", "C1", "Forecast due Friday")
	s := h.sender(&now)
	h.once(s, 3)
	h.once(s, 0)
	posts := h.api.of("chat.postMessage")
	if len(posts) != 3 {
		t.Fatalf("posted %d messages, want 3", len(posts))
	}
	wantPost(t, posts[0], "C1", "digest/2026-W48/C1", 0, "Digest of week 48")
	wantPost(t, posts[1], "DU7", "reminder/2026-11-24/U7", 0, "Call Acme")
	wantPost(t, posts[2], "C1", "note/2026-11-24/C1", 0, "Forecast due Friday")
	for _, key := range []string{"digest/2026-W48/C1", "reminder/2026-11-24/U7", "note/2026-11-24/C1"} {
		if m := h.outboxed(key); !m.SentAt.Equal(now) || m.Attempts != 1 || m.LastError != "" {
			t.Fatalf("%s: %+v, want sent once at %v", key, m, now)
		}
	}
}

func TestSenderFindsAMessagePostedBeforeACrash(t *testing.T) {
	h := newHarness(t)
	h.useClock(1) // one message a history page: the cursor is followed
	ctx := context.Background()
	now := testNow
	key := "reminder/2026-11-24/U7"
	h.enqueue(key, "U7", "Call Acme")
	d := h.a.Deliverer()
	for _, other := range []string{"reminder/2026-11-23/U7", "note/2026-11-24/U7"} {
		if err := d.Deliver(ctx, outbox.Message{IdemKey: other, Channel: "U7"}, textReply("other")); err != nil {
			t.Fatal(err)
		}
	}
	// A sender claims the message, posts it, and dies before marking it.
	ms, err := h.db.Claim(ctx, "slack", now, time.Minute, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claimed %v (%v)", ms, err)
	}
	if err := d.Deliver(ctx, outbox.MessageOf(ms[0]), textReply("Call Acme")); err != nil {
		t.Fatal(err)
	}
	h.restart()

	now = now.Add(2 * time.Minute) // past the lease
	h.once(h.sender(&now), 1)
	if posts := h.api.of("chat.postMessage"); len(posts) != 3 {
		t.Fatalf("posted %d messages, want 3: the reminder was posted again", len(posts))
	}
	reads := h.api.of("conversations.history")
	if len(reads) != 3 {
		t.Fatalf("read %d history pages, want 3", len(reads))
	}
	if f := reads[0].Form; f.Get("channel") != "DU7" || f.Get("oldest") != slackTS(testNow.Add(-time.Minute)) ||
		f.Get("include_all_metadata") != "1" || f.Get("limit") != "200" || f.Get("cursor") != "" {
		t.Fatalf("first history read %v", f)
	}
	if c := reads[2].Form.Get("cursor"); c != "2" {
		t.Fatalf("third history read at cursor %q", c)
	}
	if m := h.outboxed(key); !m.SentAt.Equal(now) {
		t.Fatalf("%+v, want marked sent at %v", m, now)
	}
}

func TestSenderDeliversAClaimNeverPosted(t *testing.T) {
	h := newHarness(t)
	h.useClock(0)
	ctx := context.Background()
	now := testNow
	key := "digest/2026-W48/C1"
	h.enqueue(key, "C1", "Digest of week 48")
	// A sender claims the message and dies before posting it.
	if ms, err := h.db.Claim(ctx, "slack", now, time.Minute, 10); err != nil || len(ms) != 1 {
		t.Fatalf("claimed %v (%v)", ms, err)
	}
	now = now.Add(2 * time.Minute)
	s := h.sender(&now)
	h.once(s, 1)
	h.once(s, 0)
	if reads := h.api.of("conversations.history"); len(reads) != 1 {
		t.Fatalf("read history %d times, want once", len(reads))
	}
	posts := h.api.of("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("posted %d messages, want 1", len(posts))
	}
	wantPost(t, posts[0], "C1", key, 0, "Digest of week 48")
	if m := h.outboxed(key); !m.SentAt.Equal(now) || m.Attempts != 2 {
		t.Fatalf("%+v, want sent at the second attempt", m)
	}
}

func TestSenderWaitsAsARateLimitAsksAndKeepsOrder(t *testing.T) {
	h := newHarness(t)
	h.api.mu.Lock()
	h.api.limited["chat.postMessage"] = 1
	h.api.mu.Unlock()
	now := testNow
	h.enqueue("a", "C1", "First")
	h.enqueue("b", "C1", "Second")
	h.enqueue("c", "C2", "Elsewhere")
	s := h.sender(&now)
	h.once(s, 1) // C2's; C1's wait

	retry := now.Add(time.Second) // the fake's Retry-After
	if m := h.outboxed("a"); !m.NextAttemptAt.Equal(retry) || !m.SentAt.IsZero() || !strings.Contains(m.LastError, "rate limit") {
		t.Fatalf("a: %+v, want retried at %v", m, retry)
	}
	if m := h.outboxed("b"); !m.NextAttemptAt.Equal(retry) || !m.SentAt.IsZero() {
		t.Fatalf("b: %+v, want waiting for a until %v", m, retry)
	}
	h.once(s, 0) // not yet due

	now = retry
	h.once(s, 2)
	posts := h.api.of("chat.postMessage")
	if len(posts) != 3 {
		t.Fatalf("posted %d messages, want 3", len(posts))
	}
	wantPost(t, posts[0], "C2", "c", 0, "Elsewhere")
	wantPost(t, posts[1], "C1", "a", 0, "First")
	wantPost(t, posts[2], "C1", "b", 0, "Second")
}

func TestSenderGivesUpOnAMissingChannel(t *testing.T) {
	h := newHarness(t)
	h.api.mu.Lock()
	h.api.gone["C404"] = true
	h.api.mu.Unlock()
	now := testNow
	h.enqueue("digest/2026-W48/C404", "C404", "Digest")
	s := h.sender(&now)
	h.once(s, 0)
	m := h.outboxed("digest/2026-W48/C404")
	if !m.SentAt.IsZero() || !strings.Contains(m.LastError, "channel_not_found") || m.NextAttemptAt.Year() != 9999 {
		t.Fatalf("%+v, want given up", m)
	}
	now = now.Add(24 * time.Hour)
	h.once(s, 0)
	if posts := h.api.of("chat.postMessage"); len(posts) != 1 {
		t.Fatalf("posted %d times to a missing channel, want once", len(posts))
	}
}

// TestManifestsGiveTheOutboxItsScopes checks both app manifests for the
// scopes the outbox's calls need.
func TestManifestsGiveTheOutboxItsScopes(t *testing.T) {
	for _, file := range []string{"../../slack-app-manifest.yaml", "../../slack-app-manifest.socket.yaml"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			OAuth struct {
				Scopes struct{ Bot []string }
			} `yaml:"oauth_config"`
		}
		if err := yaml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		have := map[string]bool{}
		for _, s := range m.OAuth.Scopes.Bot {
			have[s] = true
		}
		for _, want := range []struct{ scope, for_ string }{
			{"im:write", "conversations.open"},
			{"im:history", "conversations.history in DMs"},
			{"channels:history", "conversations.history in public channels"},
			{"groups:history", "conversations.history in private channels"},
			{"files:write", "files.getUploadURLExternal, files.completeUploadExternal"},
		} {
			if !have[want.scope] {
				t.Errorf("%s: scope %s missing (%s)", file, want.scope, want.for_)
			}
		}
	}
}
