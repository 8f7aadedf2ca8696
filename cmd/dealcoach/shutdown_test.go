package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/store"
)

// signedLoad sends signed Slack traffic to serve from two workers until
// stopped: slash commands (answered in the request) and DM events
// (acknowledged, then handled by the workers). It keeps the names of the
// deals whose request was acknowledged.
type signedLoad struct {
	mu         sync.Mutex
	acked      []string
	unanswered []string // DM events that got no answer: Slack would send them again
	stop       chan struct{}
	wg         sync.WaitGroup
}

func startSignedLoad(t *testing.T, addr, tag string) *signedLoad {
	l := &signedLoad{stop: make(chan struct{})}
	for w := range 2 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				name := fmt.Sprintf("%sW%dN%d", tag, w, i)
				var ok bool
				if i%2 == 0 { // a slash command: the answer names the deal
					code, body := tryPost(addr, "/slack/commands", "application/x-www-form-urlencoded",
						"team_id=T0HOME&channel_id=D0RITA&user_id=U1&user_name=rita&command=%2Fdeal&text=new+"+name+"+10k&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr&trigger_id=t"+name)
					ok = code == 200 && strings.Contains(body, name)
				} else { // a DM: 200 means recorded, to be handled
					body := fmt.Sprintf(`{"team_id":"T0HOME","type":"event_callback","event_id":"Ev%s","authorizations":[{"team_id":"T0HOME","user_id":"UBOT","is_bot":true}],"event":{"type":"message","channel":"D0W%d","user":"U1","text":"new deal %s 10k","ts":"%d.000100","channel_type":"im"}}`, name, w, name, eventTS.Add(1))
					code, _ := tryPost(addr, "/slack/events", "application/json", body)
					ok = code == 200
					if code == 0 {
						l.mu.Lock()
						l.unanswered = append(l.unanswered, body)
						l.mu.Unlock()
					}
				}
				if ok {
					l.mu.Lock()
					l.acked = append(l.acked, name)
					l.mu.Unlock()
				}
			}
		}()
	}
	return l
}

// unansweredEvents are the DM events sent that got no answer.
func (l *signedLoad) unansweredEvents() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.unanswered...)
}

func (l *signedLoad) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

func (l *signedLoad) end() []string {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.acked...)
}

// waitForAcks waits until the load has n acknowledged requests.
func (l *signedLoad) waitForAcks(t *testing.T, n int, logs fmt.Stringer) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); l.count() < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests acknowledged, want %d:\n%s", l.count(), n, logs)
		}
	}
}

// tryPost posts a request signed with serve's test secret; status 0 when
// nothing answered (the server has stopped or been killed).
func tryPost(addr, path, contentType, body string, header ...string) (int, string) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte("e2e-secret"))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := killableClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, ""
	}
	return resp.StatusCode, string(raw)
}

// eventTS makes every load event's ts unique, as Slack's are: the
// adapter takes (channel, ts) for the same message.
var eventTS atomic.Int64

func init() { eventTS.Store(1764002000) }

// loadClient does not wait forever for a server killed mid-request.
var killableClient = &http.Client{Timeout: 20 * time.Second}

// checkStored checks that each name is a deal exactly once in db, that no
// event waits in the inbox, and that the file passes integrity_check.
func checkStored(t *testing.T, db string, names []string) {
	t.Helper()
	if err := store.IntegrityCheck(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	have := map[string]int{}
	for _, d := range exportedDeals(t, db) {
		have[d.Customer]++
	}
	for _, n := range names {
		if have[n] != 1 {
			t.Errorf("%s, acknowledged, is stored %d times", n, have[n])
		}
	}
	s, err := openQueues(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range s.Inbox {
		if q.Pending > 0 {
			t.Errorf("%d %s events still unhandled in the inbox", q.Pending, q.Platform)
		}
	}
}

func openQueues(path string) (store.Stats, error) {
	db, err := store.Open(context.Background(), path)
	if err != nil {
		return store.Stats{}, err
	}
	defer db.Close()
	return db.Queues(context.Background())
}

// SIGTERM under load: serve stops accepting, finishes the turns in flight
// and closes cleanly (exit 0); every request it acknowledged is stored,
// once, with nothing left in the inbox for a restart to do.
func TestSIGTERMUnderLoadLosesNothingAcknowledged(t *testing.T) {
	db := filepath.Join(t.TempDir(), "term.db")
	api := &platformAPI{}
	fake := httptest.NewServer(api)
	defer fake.Close()
	p := startServe(t, db, fake.URL, "2026-11-24T10:00:00+08:00")
	load := startSignedLoad(t, p.addr, "Term")
	load.waitForAcks(t, 40, p.logs)
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	err := p.cmd.Wait()
	took := time.Since(start)
	acked := load.end()
	if err != nil {
		t.Fatalf("serve exit after SIGTERM: %v\n%s", err, p.logs)
	}
	if !strings.Contains(p.logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop logged:\n%s", p.logs)
	}
	t.Logf("stopped %v after SIGTERM; %d requests acknowledged", took.Round(time.Millisecond), len(acked))
	checkStored(t, db, acked)
	// The side-by-side harness reads the file's deals from this line.
	want := fmt.Sprintf("deals rows=%d", len(exportedDeals(t, db)))
	if !strings.Contains(p.logs.String(), want) {
		t.Errorf("no %q logged at the stop:\n%s", want, p.logs)
	}
}

// slowPosts is the fake platform with slow chat.postMessage calls, so that
// a SIGTERM comes while the sender is in the middle of its batch.
type slowPosts struct {
	*platformAPI
	delay time.Duration
}

func (s slowPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
		time.Sleep(s.delay)
	}
	s.platformAPI.ServeHTTP(w, r)
}

// SIGTERM while the outbox sender is delivering a batch: the sender
// finishes it and records each message sent, so that nothing delivered is
// left claimed and unsettled (which a restart would send again).
func TestSIGTERMLetsTheSenderFinishItsBatch(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "flush.db")
	// Written at serve's clock, so that they are due when it starts.
	at, _ := time.Parse(time.RFC3339, "2026-11-24T10:00:00+08:00")
	s, err := store.Open(ctx, db, store.WithClock(func() time.Time { return at }))
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	for i := range n {
		payload, _ := json.Marshal(bot.Reply{Lang: "en", Blocks: []bot.Block{{Kind: bot.TextBlock, Text: fmt.Sprint("reminder ", i)}}})
		if _, err := s.Enqueue(ctx, store.OutboxMessage{IdemKey: fmt.Sprint("flush:", i), Platform: "slack", Channel: "C1", Payload: payload}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	api := &platformAPI{}
	fake := httptest.NewServer(slowPosts{api, 150 * time.Millisecond})
	defer fake.Close()
	p := startServe(t, db, fake.URL, "2026-11-24T10:00:00+08:00")
	api.wait(t, 1, p.logs) // the batch has begun
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("serve exit after SIGTERM: %v\n%s", err, p.logs)
	}
	posted := len(api.all())
	s, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sent := 0
	for i := range n {
		m, err := s.OutboxByKey(ctx, fmt.Sprint("flush:", i))
		if err != nil {
			t.Fatal(err)
		}
		if !m.SentAt.IsZero() {
			sent++
		}
	}
	if sent != posted || posted != n {
		t.Fatalf("%d of %d posted and %d recorded sent: the batch was cut\n%s", posted, n, sent, p.logs)
	}
}
