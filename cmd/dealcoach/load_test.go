package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// loadClient is one keep-alive connection to the server under a
// benchmark, written and read by hand: the machine's two cores are shared
// with the clients, and the figure is the server's, not net/http's
// client's.
type loadClient struct {
	c  net.Conn
	r  *bufio.Reader
	ok func(body []byte) bool // what a good answer holds
}

// dialLoad opens n clients to addr; b's cleanup closes them.
func dialLoad(b *testing.B, addr string, n int, ok func(body []byte) bool) []*loadClient {
	cs := make([]*loadClient, n)
	for i := range cs {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { nc.Close() })
		cs[i] = &loadClient{c: nc, r: bufio.NewReader(nc), ok: ok}
	}
	return cs
}

// send writes one signed request and waits for its answer.
func (c *loadClient) send(b *testing.B, req []byte) time.Duration {
	start := time.Now()
	if _, err := c.c.Write(req); err != nil {
		b.Error(err)
		return 0
	}
	status, body, err := readResponse(c.r)
	took := time.Since(start)
	if err != nil || status != http.StatusOK || !c.ok(body) {
		b.Errorf("status %d, %v: %s", status, err, body)
	}
	return took
}

// runLoad restarts b's timer and sends each client its requests, all
// clients at once; it returns every answer's latency, sorted. The timer
// is left running: the caller may have more to wait for.
func runLoad(b *testing.B, cs []*loadClient, reqs [][][]byte) []time.Duration {
	lat := make([][]time.Duration, len(cs))
	var wg sync.WaitGroup
	b.ResetTimer()
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, req := range reqs[i] {
				lat[i] = append(lat[i], c.send(b, req))
			}
		}()
	}
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	return all
}

// reportLoad reports the rate (in unit, per second of b's timer), the
// median and 99th percentile latency, and the server's peak memory.
func reportLoad(b *testing.B, lat []time.Duration, unit string, pid int) {
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(vmHWM(fmt.Sprintf("/proc/%d/status", pid)))/1024, "server-peak-RSS-MB")
	b.ReportMetric(0, "ns/op")
}
