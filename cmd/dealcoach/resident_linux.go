package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// releaseStartPages takes out of serve's resident set the pages of its
// own executable that only start-up read. Package initialisation (the
// Lark SDK's services, protobuf registrations), the catalogues' and
// playbook's parsing and the migrations run code and read tables once,
// and those pages stayed mapped: about 5 MB of the server's 38 under the
// create load (harness, 2026-12-04). MADV_DONTNEED drops them from the
// process only: the kernel keeps them in its page cache, and the code a
// request runs is mapped again at its first use. Only read-only mappings
// no page of which was ever copied on write are released, so nothing the
// process wrote is lost; any failure leaves the pages as they were.
func releaseStartPages(log *slog.Logger) {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		log.Debug("start-up pages kept", "err", err)
		return
	}
	var released uintptr
	for _, s := range startSpans(smaps, exe) {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, s.start, s.end-s.start, syscall.MADV_DONTNEED); errno != 0 {
			log.Debug("start-up pages kept", "err", errno)
			return
		}
		released += s.end - s.start
	}
	log.Debug("start-up pages released", "bytes", released)
}

// span is an address range [start, end).
type span struct{ start, end uintptr }

// startSpans lists, from /proc/self/smaps, the mappings of the file exe
// that are read-only (code, read-only data) and have no anonymous page
// (none copied on write, as a debugger's breakpoint would).
func startSpans(smaps []byte, exe string) []span {
	var out []span
	var cur span
	mine := false // cur is a read-only mapping of exe
	flush := func() {
		if mine {
			out = append(out, cur)
		}
		mine = false
	}
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.HasSuffix(f[0], ":") { // a field of the current mapping
			if f[0] == "Anonymous:" && len(f) > 1 && f[1] != "0" {
				mine = false
			}
			continue
		}
		flush()
		// start-end perms offset dev inode path
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok || len(f) != 6 || f[5] != exe || (f[1] != "r-xp" && f[1] != "r--p") {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || b <= a {
			continue
		}
		cur, mine = span{uintptr(a), uintptr(b)}, true
	}
	flush()
	return out
}
