package slack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// BenchmarkCommandHTTP is one signed /deal update through the adapter's
// HTTP handler over loopback, in process (for profiles; the figure that
// counts is cmd/dealcoach's BenchmarkSlackCommands on the real binary).
//
//	go test -run=NONE -bench=CommandHTTP -cpuprofile=cpu.out ./bot/slack/
func BenchmarkCommandHTTP(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	const owners, deals = 16, 10_000
	var ids []int64
	for o := range owners {
		p, err := h.db.EnsurePerson(ctx, coach.Person{Platform: platform, PlatformID: fmt.Sprintf("U%02d", o), Name: fmt.Sprintf("Rep %02d", o)})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	batch := make([]coach.Deal, 0, deals)
	for i := range deals {
		batch = append(batch, coach.Deal{Customer: fmt.Sprintf("Customer %06d", i), OwnerID: ids[i%owners],
			Amount: coach.Major(int64(10_000 + i)), Currency: "CNY", Stage: "interest"})
	}
	if err := h.db.CreateDeals(ctx, batch, ids[0]); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var seq atomic.Int64
	b.SetParallelism(8) // 16 clients on 2 CPUs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			c := int(n % owners)
			deal := 1 + c + owners*int(n/owners%int64(deals/owners))
			body := h.commandForm(fmt.Sprintf("U%02d", c), "C1", fmt.Sprintf("#%d amount %dk", deal, 100+n%900))
			body = strings.Replace(body, "trigger_id=", fmt.Sprintf("trigger_id=%d.", n), 1)
			ts, sig := sign(body, time.Now().Unix())
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/slack/commands", strings.NewReader(body))
			req.Header.Set("Content-Type", formType)
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sig)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
