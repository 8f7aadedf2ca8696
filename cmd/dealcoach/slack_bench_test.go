package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// BenchmarkSlackCommands runs the real binary, "dealcoach serve" with Slack
// enabled, over a database of 100,000 deals, and sends it signed /deal
// updates from 16 concurrent clients over loopback: each request is
// verified, recorded in the inbox, parsed, applied and committed, and
// answered with the Block Kit reply. It reports requests per second, the
// 99th percentile latency, and the server's peak resident memory.
//
//	go test -run=NONE -bench=SlackCommands -benchtime=20000x ./cmd/dealcoach/
func BenchmarkSlackCommands(b *testing.B) {
	slackLoad(b, func(c, i int) string {
		deal := 1 + c + slackClients*((i/slackClients*7919)%(100_000/slackClients)) // the client's own deals
		return fmt.Sprintf("#%d amount %dk", deal, 100+i%900)
	})
}

// BenchmarkSlackCreates is BenchmarkSlackCommands doing creates, as the
// side-by-side harness (../shared/bench) does: "/deal new Acme-N 50000",
// each a new name, over the same 100,000 deals. Each is verified, checked
// against the speaker's open deals, committed with its first event, its
// dedupe record and the coaching question it asks, and answered.
//
//	go test -run=NONE -bench=SlackCreates -benchtime=20000x ./cmd/dealcoach/
func BenchmarkSlackCreates(b *testing.B) {
	slackLoad(b, func(c, i int) string { return fmt.Sprintf("new Acme-%d %d", i, 50_000+i%900) })
}

const slackClients = 16

// slackLoad runs BenchmarkSlackCommands' load with the command text
// text(client, request) gives.
func slackLoad(b *testing.B, text func(c, i int) string) {
	const clients = slackClients
	dir := b.TempDir()
	db := filepath.Join(dir, "slack.db")
	seedOwners(b, db, "slack", "U%02d", clients)
	// The Web API: users.info on each person's first contact.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"name":"rep","tz":"Asia/Shanghai","locale":"en-US","profile":{"display_name":"Rep %s"}}}`,
			r.Form.Get("user"), r.Form.Get("user"))
	}))
	defer api.Close()
	const secret = "bench-secret"
	// Monday 08:00 in Shanghai, before the 09:00 reminders and the week's
	// digest (everyone's default team has one since teams are optional): the
	// figures are the requests' alone (BenchmarkServeMorningScan and the
	// digest benchmarks measure the scheduler).
	srv := runServe(b, db, "DEALCOACH_NOW=2026-11-23T08:00:00+08:00", "SLACK_BOT_TOKEN=xoxb-bench",
		"SLACK_SIGNING_SECRET="+secret, "SLACK_API_URL="+api.URL+"/api/")
	defer srv.stop()
	addr := srv.addr

	// Requests are signed before the clock starts (see loadClient).
	sign := func(user string, n int, text string) []byte {
		body := url.Values{"token": {"x"}, "team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {user},
			"user_name": {user}, "command": {"/deal"}, "text": {text}, "response_url": {api.URL + "/respond"},
			"trigger_id": {fmt.Sprintf("%s.%d.%d", user, n, time.Now().UnixNano())}}.Encode()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		return fmt.Appendf(nil, "POST /slack/commands HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"Content-Length: %d\r\nX-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: v0=%s\r\n\r\n%s",
			addr, len(body), ts, hex.EncodeToString(mac.Sum(nil)), body)
	}
	cs := dialLoad(b, addr, clients, func(body []byte) bool { return bytes.Contains(body, []byte(`"blocks"`)) })
	reqs := make([][][]byte, clients)
	for c := range clients {
		user := fmt.Sprintf("U%02d", c)
		cs[c].send(b, sign(user, -1, "help")) // first contact (users.info) out of the timing
		for i := c; i < b.N; i += clients {
			reqs[c] = append(reqs[c], sign(user, i, text(c, i)))
		}
	}
	lat := runLoad(b, cs, reqs)
	b.StopTimer()
	reportLoad(b, lat, "req/s", srv.cmd.Process.Pid)
}

// readResponse reads one HTTP/1.1 response with a Content-Length, as the
// server sends them: net/http's reader costs the shared CPUs more than the
// request does the server.
func readResponse(r *bufio.Reader) (status int, body []byte, err error) {
	n := -1
	for first := true; ; first = false {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		if first {
			if len(line) < 12 {
				return 0, nil, fmt.Errorf("bad status line %q", line)
			}
			status, _ = strconv.Atoi(string(line[9:12]))
			continue
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			n, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if n < 0 {
		return status, nil, fmt.Errorf("no Content-Length")
	}
	body = make([]byte, n)
	_, err = io.ReadFull(r, body)
	return status, body, err
}

// seedOwners fills path with 100,000 deals owned in turn by the owners
// people of platform, with ids idFormat(0…owners-1): deal i+1 is owned by
// owner i % owners.
func seedOwners(b *testing.B, path, platform, idFormat string, owners int) {
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var ids []int64
	for o := range owners {
		id := fmt.Sprintf(idFormat, o)
		p, err := db.EnsurePerson(ctx, coach.Person{Platform: platform, PlatformID: id, Name: "Rep " + id})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	stages := []string{"prospect", "interest", "approved", "shortlist", "contract"}
	batch := make([]coach.Deal, 0, 10_000)
	for i := range 100_000 { // deal i+1 is owned by U(i % owners)
		batch = append(batch, coach.Deal{Customer: fmt.Sprintf("Customer %06d", i), OwnerID: ids[i%owners],
			Amount: coach.Major(int64(10_000 + i)), Currency: "CNY", Stage: stages[i%len(stages)]})
		if len(batch) == cap(batch) {
			if err := db.CreateDeals(ctx, batch, ids[0]); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
