package main

import (
	"io"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestStartSpans(t *testing.T) {
	const exe = "/srv/dealcoach"
	smaps := `00400000-00eec000 r-xp 00000000 00:2b 1234 /srv/dealcoach
Size:              11184 kB
Rss:                9712 kB
Anonymous:             0 kB
00eec000-01b58000 r--p 00aec000 00:2b 1234 /srv/dealcoach
Rss:               10672 kB
Anonymous:             0 kB
01b58000-01c1b000 rw-p 0172c000 00:2b 1234 /srv/dealcoach
Anonymous:           132 kB
01c1b000-01c2b000 r-xp 00000000 00:2b 1234 /srv/dealcoach
Anonymous:             4 kB
7eff829a9000-7eff82aff000 r-xp 00028000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
Anonymous:             0 kB
7eff82b00000-7eff82b10000 r-xp 00000000 00:2b 77 /srv/dealcoach (deleted)
Anonymous:             0 kB
2be59d400000-2be59e400000 rw-p 00000000 00:00 0
Anonymous:         12324 kB
7ffd60ad3000-7ffd60af4000 rw-p 00000000 00:00 0                          [stack]
`
	// The code and read-only data; not the data (written), not a mapping
	// with a page copied on write (a breakpoint), not other files, not a
	// replaced executable.
	want := []span{{0x400000, 0xeec000}, {0xeec000, 0x1b58000}}
	if got := startSpans([]byte(smaps), exe); !reflect.DeepEqual(got, want) {
		t.Fatalf("startSpans = %x, want %x", got, want)
	}
}

// TestReleaseStartPages releases this test binary's own start-up pages:
// its resident file pages drop, and it goes on running.
func TestReleaseStartPages(t *testing.T) {
	before := rssFile(t)
	releaseStartPages(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if after := rssFile(t); after >= before {
		t.Fatalf("resident file pages %d kB before, %d kB after", before, after)
	}
}

func rssFile(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "RssFile:" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}
