package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	larkbot "github.com/dealcoach/dealcoach/bot/lark"
)

// BenchmarkLarkEvents runs the real binary, "dealcoach serve" with Lark
// over HTTP, over a database of 100,000 deals, and sends it encrypted,
// signed im.message.receive_v1 events from 16 concurrent clients over
// loopback: each is verified, decrypted, recorded in the inbox and
// answered, then handled (parsed, applied, committed) and replied to
// through the open platform (a fake in this process). The clock stops
// when the last reply has arrived. It reports events per second (end to
// end), the 99th percentile of the callback's answer, and the server's
// peak resident memory.
//
//	go test -run=NONE -bench=LarkEvents -benchtime=20000x ./cmd/dealcoach/
func BenchmarkLarkEvents(b *testing.B) {
	const clients = 16
	const key, token = "bench key", "bench-token"
	dir := b.TempDir()
	db := filepath.Join(dir, "lark.db")
	seedOwners(b, db, "lark", "ou_%02d", clients)
	var replies atomic.Int64
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.Contains(r.URL.Path, "tenant_access_token"):
			fmt.Fprint(w, `{"code":0,"msg":"ok","tenant_access_token":"t-bench","expire":7200}`)
		case strings.Contains(r.URL.Path, "/contact/"):
			fmt.Fprint(w, `{"code":0,"msg":"success","data":{"user":{"name":"Rep","time_zone":"Asia/Shanghai"}}}`)
		default:
			replies.Add(1)
			fmt.Fprint(w, `{"code":0,"msg":"success","data":{"message_id":"om_reply"}}`)
		}
	}))
	defer platform.Close()
	// Monday 08:00 in Shanghai, before the 09:00 reminders and the week's
	// digest (everyone's default team has one since teams are optional): the
	// figures are the requests' alone (BenchmarkServeMorningScan and the
	// digest benchmarks measure the scheduler).
	srv := runServe(b, db, "DEALCOACH_NOW=2026-11-23T08:00:00+08:00", "LARK_APP_ID=cli_bench", "LARK_APP_SECRET=secret",
		"LARK_VERIFICATION_TOKEN="+token, "LARK_ENCRYPT_KEY="+key, "LARK_BASE_URL="+platform.URL)
	defer srv.stop()
	addr := srv.addr

	seq := 0
	seal := func(user, text string) []byte {
		seq++
		content, _ := json.Marshal(map[string]string{"text": text})
		ev, _ := json.Marshal(map[string]any{
			"schema": "2.0",
			"header": map[string]any{"event_id": fmt.Sprintf("ev-%d", seq), "event_type": "im.message.receive_v1",
				"create_time": "1764000000000", "token": token, "app_id": "cli_bench", "tenant_key": "t1"},
			"event": map[string]any{
				"sender": map[string]any{"sender_id": map[string]any{"open_id": user}, "sender_type": "user", "tenant_key": "t1"},
				"message": map[string]any{"message_id": fmt.Sprintf("om-%d", seq), "create_time": "1764000000000",
					"chat_id": "oc_" + user, "chat_type": "p2p", "message_type": "text", "content": string(content)},
			},
		})
		enc, err := larkbot.Encrypt(ev, key)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := json.Marshal(map[string]string{"encrypt": enc})
		ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), fmt.Sprintf("n%d", seq)
		return fmt.Appendf(nil, "POST /lark/events HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\nX-Lark-Request-Timestamp: %s\r\nX-Lark-Request-Nonce: %s\r\nX-Lark-Signature: %s\r\n\r\n%s",
			addr, len(body), ts, nonce, larkbot.Signature(ts, nonce, key, body), body)
	}
	cs := dialLoad(b, addr, clients, func([]byte) bool { return true })
	reqs := make([][][]byte, clients)
	for c := range clients {
		user := fmt.Sprintf("ou_%02d", c)
		cs[c].send(b, seal(user, "/deal help")) // first contact out of the timing
		for i := c; i < b.N; i += clients {
			deal := 1 + c + clients*((i/clients*7919)%(100_000/clients)) // the client's own deals
			reqs[c] = append(reqs[c], seal(user, fmt.Sprintf("/deal #%d amount %dk", deal, 100+i%900)))
		}
	}
	for replies.Load() < clients { // the warm-ups' replies
		time.Sleep(time.Millisecond)
	}
	base := replies.Load()

	lat := runLoad(b, cs, reqs)
	deadline := time.Now().Add(time.Minute)
	for replies.Load() < base+int64(b.N) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	if got := replies.Load() - base; got < int64(b.N) {
		b.Fatalf("%d of %d events replied to: %s", got, b.N, srv.logs.String())
	}
	reportLoad(b, lat, "events/s", srv.cmd.Process.Pid)
}
