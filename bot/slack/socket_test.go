package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeSocket is Slack's side of Socket Mode: it hands envelopes to each
// connection and collects the acks.
type fakeSocket struct {
	srv    *httptest.Server
	conns  chan *websocket.Conn
	closed chan struct{}
}

func newFakeSocket(t *testing.T) *fakeSocket {
	fs := &fakeSocket{conns: make(chan *websocket.Conn, 4)}
	// The client sends Origin: https://api.slack.com, as to Slack.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	fs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
			"connection_info": map[string]any{"app_id": "A1"}, "debug_info": map[string]any{"host": "fake"}})
		fs.conns <- c
	}))
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *fakeSocket) url() string { return "ws" + strings.TrimPrefix(fs.srv.URL, "http") }

func (fs *fakeSocket) next(t *testing.T) *websocket.Conn {
	t.Helper()
	select {
	case c := <-fs.conns:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("the client did not connect")
	}
	return nil
}

// ack reads until the ack of envelope id arrives.
func ack(t *testing.T, c *websocket.Conn, id string) map[string]any {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for the ack of %s: %v", id, err)
		}
		if m["envelope_id"] == id {
			return m
		}
	}
}

func TestSocketModeAcksEveryEnvelopeAndReconnects(t *testing.T) {
	h := newHarness(t)
	fs := newFakeSocket(t)
	h.api.mu.Lock()
	h.api.socket = fs.url()
	h.api.mu.Unlock()
	a, err := New(Config{Bot: h.bot, Store: h.db, Catalog: h.a.cfg.Catalog, Token: "xoxb-test", AppToken: "xapp-test",
		APIURL: h.api.srv.URL + "/api/", DefaultLang: "en", Log: h.a.log, Now: h.a.cfg.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunSocket(ctx) }()
	defer func() {
		cancel()
		<-done
		a.Close(context.Background())
	}()

	// A slash command: its answer rides in the ack.
	c := fs.next(t)
	cmd := map[string]any{"token": "x", "team_id": "T0001", "channel_id": "C1", "user_id": "U1", "user_name": "u1",
		"command": "/deal", "text": "new Acme 120k", "response_url": h.api.srv.URL + "/commands/1", "trigger_id": "1.2.3"}
	c.WriteJSON(map[string]any{"envelope_id": "env-1", "type": "slash_commands", "payload": cmd, "accepts_response_payload": true})
	got := ack(t, c, "env-1")
	raw, _ := json.Marshal(got["payload"])
	if !strings.Contains(string(raw), "Acme") || h.count() != 1 {
		t.Fatalf("ack payload %s, %d deals", raw, h.count())
	}

	// The connection drops; the client opens a new one and goes on.
	c.Close()
	c = fs.next(t)
	ev := json.RawMessage(eventBody("EvS1", mention("U1", "C1", "Acme moved to shortlist", "1515449600.000001")))
	c.WriteJSON(map[string]any{"envelope_id": "env-2", "type": "events_api", "payload": ev, "accepts_response_payload": false})
	ack(t, c, "env-2")
	// Slack sends the unacknowledged-looking event again on another connection: once.
	c.WriteJSON(map[string]any{"envelope_id": "env-3", "type": "events_api", "payload": ev, "retry_attempt": 1, "retry_reason": "timeout"})
	ack(t, c, "env-3")
	posts := h.api.wait(t, "chat.postMessage", 1)
	if posts[0].Form.Get("thread_ts") != "1515449600.000001" || h.deal(1).Stage != "shortlist" {
		t.Fatalf("socket event: %v, stage %q", posts[0].Form, h.deal(1).Stage)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(h.api.of("chat.postMessage")); n != 1 {
		t.Fatalf("%d replies to one event", n)
	}
	h.api.mu.Lock()
	opened := h.api.opened
	h.api.mu.Unlock()
	if opened < 2 {
		t.Fatalf("apps.connections.open called %d times: no reconnect", opened)
	}
}
