package lark

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/dealcoach/dealcoach/coach"
)

// wsService is the service id the gateway puts in the websocket URL; the
// SDK sends it back in its pings.
const wsService = 7

// wsClientConfig is the ClientConfig the gateway hands out, in seconds.
// The SDK takes all four fields from every config it receives, absent
// ones as 0: ReconnectCount 0 would mean no reconnect at all and
// PingInterval 0 a ping loop without pause. ReconnectNonce 0 makes the
// first reconnect attempt immediate; ReconnectInterval, which spaces the
// later attempts, cannot be under a second.
var wsClientConfig = map[string]any{"ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 1}

// larkGateway stands where LARK_BASE_URL points in long-connection mode:
// the endpoint the SDK asks where to connect, the websocket it then dials,
// and the fake open platform behind them for every other path.
type larkGateway struct {
	srv   *httptest.Server
	conns chan *larkConn

	mu    sync.Mutex
	asked []larkws.BootstrapRequest
	busy  int // endpoint calls still to answer "system busy"
	open  []*websocket.Conn
}

func newLarkGateway(t *testing.T, lark *fakeLark) *larkGateway {
	g := &larkGateway{conns: make(chan *larkConn, 4)}
	upstream, err := url.Parse(lark.url())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", httputil.NewSingleHostReverseProxy(upstream))
	mux.HandleFunc("POST "+larkws.GenEndpointUri, g.endpoint)
	mux.HandleFunc("GET /ws", g.accept)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		g.mu.Lock()
		for _, c := range g.open {
			c.Close()
		}
		g.mu.Unlock()
		g.srv.Close()
	})
	return g
}

// endpoint answers the SDK's POST /callback/ws/endpoint with the URL to
// dial and the ClientConfig, or "system busy" (code 1, retried by the SDK).
func (g *larkGateway) endpoint(w http.ResponseWriter, r *http.Request) {
	var req larkws.BootstrapRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	g.mu.Lock()
	g.asked = append(g.asked, req)
	busy := g.busy > 0
	if busy {
		g.busy--
	}
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case busy:
		json.NewEncoder(w).Encode(map[string]any{"code": larkws.SystemBusy, "msg": "system busy"})
	case req.AppID != "cli_test" || req.AppSecret != "secret":
		json.NewEncoder(w).Encode(map[string]any{"code": 10003, "msg": "invalid app_id or app_secret"})
	default:
		u := "ws" + strings.TrimPrefix(g.srv.URL, "http") + "/ws?device_id=dev_" + strconv.Itoa(len(g.asked)) +
			"&service_id=" + strconv.Itoa(wsService)
		json.NewEncoder(w).Encode(map[string]any{"code": 0, "msg": "ok",
			"data": map[string]any{"URL": u, "ClientConfig": wsClientConfig}})
	}
}

func (g *larkGateway) accept(w http.ResponseWriter, r *http.Request) {
	c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	g.mu.Lock()
	g.open = append(g.open, c)
	g.mu.Unlock()
	g.conns <- &larkConn{c: c, acks: map[string]larkws.Frame{}}
}

func (g *larkGateway) endpointCalls() []larkws.BootstrapRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]larkws.BootstrapRequest(nil), g.asked...)
}

func (g *larkGateway) next(t *testing.T) *larkConn {
	t.Helper()
	select {
	case c := <-g.conns:
		return c
	case <-time.After(5 * time.Second):
		t.Fatalf("the client did not connect; endpoint calls: %d", len(g.endpointCalls()))
	}
	return nil
}

// larkConn is one long connection as the open platform sees it. Only the
// test goroutine reads and writes it.
type larkConn struct {
	c     *websocket.Conn
	seq   uint64
	pings []larkws.Frame
	acks  map[string]larkws.Frame // data frames read but not yet claimed, by message_id
}

// send pushes an event as Lark does: a data frame of type event whose
// payload is the plain event JSON, cut into parts frames (sum/seq).
func (lc *larkConn) send(t *testing.T, msgID string, event any, parts int) {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	size := (len(payload) + parts - 1) / parts
	for i := range parts {
		lc.seq++
		part := payload[min(i*size, len(payload)):min((i+1)*size, len(payload))]
		f := larkws.Frame{SeqID: lc.seq, LogID: lc.seq, Service: wsService, Method: int32(larkws.FrameTypeData), Payload: part}
		for k, v := range map[string]string{larkws.HeaderType: string(larkws.MessageTypeEvent), larkws.HeaderMessageID: msgID,
			larkws.HeaderSum: strconv.Itoa(parts), larkws.HeaderSeq: strconv.Itoa(i), larkws.HeaderTraceID: "trace_" + msgID,
			larkws.HeaderTimestamp: strconv.FormatInt(time.Now().UnixMilli(), 10)} {
			f.Headers = append(f.Headers, larkws.Header{Key: k, Value: v})
		}
		raw, err := f.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := lc.c.WriteMessage(websocket.BinaryMessage, raw); err != nil {
			t.Fatalf("send %s: %v", msgID, err)
		}
		if i < parts-1 {
			// The SDK handles each frame on a goroutine of its own and
			// joins parts with a get-then-set on its cache: parts that
			// arrive together can each start a new buffer, and the
			// event is lost unanswered (an SDK race, not the adapter's).
			// The pause keeps this test about the adapter.
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// read reads the client's next frame: pings are answered with a pong
// carrying the ClientConfig, as Lark does, and data frames kept as acks.
func (lc *larkConn) read() error {
	lc.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, raw, err := lc.c.ReadMessage()
	if err != nil {
		return err
	}
	var f larkws.Frame
	if err := f.Unmarshal(raw); err != nil {
		return err
	}
	hs := larkws.Headers(f.Headers)
	switch {
	case f.Method == int32(larkws.FrameTypeControl) && hs.GetString(larkws.HeaderType) == string(larkws.MessageTypePing):
		lc.pings = append(lc.pings, f)
		conf, _ := json.Marshal(wsClientConfig)
		pong := larkws.Frame{SeqID: f.SeqID, LogID: f.LogID, Service: f.Service, Method: int32(larkws.FrameTypeControl),
			Headers: []larkws.Header{{Key: larkws.HeaderType, Value: string(larkws.MessageTypePong)}}, Payload: conf}
		out, err := pong.Marshal()
		if err != nil {
			return err
		}
		return lc.c.WriteMessage(websocket.BinaryMessage, out)
	case f.Method == int32(larkws.FrameTypeData):
		lc.acks[hs.GetString(larkws.HeaderMessageID)] = f
	}
	return nil
}

// ack waits for the client's answer to the event sent as msgID and
// returns the frame and the response it carries.
func (lc *larkConn) ack(t *testing.T, msgID string) (larkws.Frame, larkws.Response) {
	t.Helper()
	for {
		if f, ok := lc.acks[msgID]; ok {
			delete(lc.acks, msgID)
			var resp larkws.Response
			if err := json.Unmarshal(f.Payload, &resp); err != nil {
				t.Fatalf("ack of %s: %v: %s", msgID, err, f.Payload)
			}
			return f, resp
		}
		if err := lc.read(); err != nil {
			t.Fatalf("waiting for the ack of %s: %v", msgID, err)
		}
	}
}

// waitPing reads until the client has pinged n times on this connection.
func (lc *larkConn) waitPing(t *testing.T, n int) larkws.Frame {
	t.Helper()
	for len(lc.pings) < n {
		if err := lc.read(); err != nil {
			t.Fatalf("waiting for ping %d: %v", n, err)
		}
	}
	return lc.pings[n-1]
}

// runWS starts a long-connection adapter on h's store and bot with g as
// its base URL. stop cancels RunWS and returns what it returned; the
// test's cleanup calls it too, before the harness closes the store.
func runWS(t *testing.T, h *harness, g *larkGateway) (stop func() error) {
	cfg := h.a.cfg
	cfg.Mode, cfg.EncryptKey, cfg.Token, cfg.BaseURL = ModeWS, "", "", g.srv.URL
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunWS(ctx) }()
	stop = sync.OnceValue(func() error {
		cancel()
		defer a.Close(context.Background())
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Error("RunWS still running 5s after its context ended")
			return nil
		}
	})
	t.Cleanup(func() { stop() })
	return stop
}

func TestLongConnectionAcksEventsCardsAndReconnects(t *testing.T) {
	h := newHarness(t)
	g := newLarkGateway(t, h.lark)
	stop := runWS(t, h, g)

	// The SDK asks the endpoint with the app's credentials, dials the URL
	// it gets and pings at once, with the service id from the URL.
	c := g.next(t)
	if got := g.endpointCalls(); len(got) != 1 || got[0].AppID != "cli_test" || got[0].AppSecret != "secret" {
		t.Fatalf("endpoint calls %+v", got)
	}
	if ping := c.waitPing(t, 1); ping.Service != wsService {
		t.Fatalf("ping for service %d, want %d", ping.Service, wsService)
	}

	// A private message: acked with code 200 on the frame's message_id,
	// answered through the open platform.
	ev := message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", "新商机 经信银行 120万", false)
	c.send(t, "msg_1", ev, 1)
	f, resp := c.ack(t, "msg_1")
	hs := larkws.Headers(f.Headers)
	if resp.StatusCode != http.StatusOK || f.Method != int32(larkws.FrameTypeData) || f.SeqID != c.seq ||
		hs.GetString(larkws.HeaderTraceID) != "trace_msg_1" || hs.GetString(larkws.HeaderBizRt) == "" {
		t.Fatalf("ack %+v, response %+v", f, resp)
	}
	replies := h.lark.wait(t, "/reply", 1)
	if !strings.Contains(replies[0].Path, "om_1") || !strings.Contains(replies[0].Raw, "经信银行") {
		t.Fatalf("reply %s %s", replies[0].Path, replies[0].Raw)
	}
	if d := h.deal(1); d.Customer != "经信银行" || d.Amount != coach.Money(1_200_000_00) {
		t.Fatalf("created %+v", d)
	}

	// An event the app may also be subscribed to, with no handler of ours:
	// acknowledged (200), not answered 500 and sent again.
	read := map[string]any{"schema": "2.0", "header": map[string]any{"event_id": "ev-read", "event_type": "im.message.message_read_v1",
		"create_time": "1764000000000", "token": testToken, "app_id": "cli_test", "tenant_key": "736588c9260f175e"},
		"event": map[string]any{"reader": map[string]any{"reader_id": map[string]any{"open_id": "ou_wang"}}, "message_id_list": []string{"om_1"}}}
	c.send(t, "msg_read", read, 1)
	if _, resp := c.ack(t, "msg_read"); resp.StatusCode != http.StatusOK {
		t.Fatalf("an ignored event was acked %+v", resp)
	}

	// Delivered again, in two parts this time: joined, acked, applied once.
	c.send(t, "msg_2", ev, 2)
	if _, resp := c.ack(t, "msg_2"); resp.StatusCode != http.StatusOK {
		t.Fatalf("re-delivery acked %+v", resp)
	}
	time.Sleep(200 * time.Millisecond)
	if n, r := h.count(), len(h.lark.calls("/reply")); n != 1 || r != 1 {
		t.Fatalf("re-delivery: %d deals, %d replies", n, r)
	}

	// A card button: the callback comes as an event frame (the SDK drops
	// frames of type card unanswered) and the toast and the redrawn card
	// ride in the ack's data.
	won := cardAction("ca1", "ou_wang", "oc_p2p", "om_card", map[string]any{"cmd": "/deal #1 won"}, "", nil)
	c.send(t, "msg_3", won, 1)
	_, resp = c.ack(t, "msg_3")
	var answer struct {
		Toast struct{ Type, Content string }
		Card  struct {
			Type string
			Data json.RawMessage
		}
	}
	if err := json.Unmarshal(resp.Data, &answer); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("card action acked %d %s: %v", resp.StatusCode, resp.Data, err)
	}
	if answer.Toast.Type != "success" || answer.Card.Type != "raw" || !strings.Contains(string(answer.Card.Data), "经信银行") {
		t.Fatalf("card action answer %s", resp.Data)
	}
	if h.deal(1).Status != coach.Won {
		t.Fatal("the won button did not close the deal")
	}
	if replies := h.lark.wait(t, "/reply", 2); !strings.Contains(replies[1].Path, "om_card") {
		t.Fatalf("reply under the card: %s", replies[1].Path)
	}

	// Lark drops the connection and is busy at the first try: the SDK asks
	// again at once, then after ReconnectInterval, and goes on.
	g.mu.Lock()
	g.busy = 1
	g.mu.Unlock()
	c.c.Close()
	c = g.next(t)
	if len(g.endpointCalls()) != 3 { // the SDK's pause between them is its own, not timed here
		t.Fatalf("reconnected with %d endpoint calls, want 3", len(g.endpointCalls()))
	}
	c.send(t, "msg_4", message("ev4", "om_4", "p2p", "oc_p2p", "ou_wang", "新商机 华东电力 80万", false), 1)
	if _, resp := c.ack(t, "msg_4"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after reconnecting: acked %+v", resp)
	}
	h.waitDeals(2)
	if replies := h.lark.wait(t, "/reply", 3); !strings.Contains(replies[2].Path, "om_4") {
		t.Fatalf("reply after reconnecting: %s", replies[2].Path)
	}
	c.waitPing(t, 1) // the ping loop moved to the new connection

	// Cancelled, RunWS returns and the client closes its connection.
	if err := stop(); err != nil {
		t.Fatalf("RunWS: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	err := c.read()
	for ; err == nil && time.Now().Before(deadline); err = c.read() {
	}
	// Closed is EOF, or a reset when pings were left unread.
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the connection stayed open after RunWS returned: %v", err)
	}
}
