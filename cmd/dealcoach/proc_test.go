package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// serveProc is a running "dealcoach serve".
type serveProc struct {
	t    testing.TB
	cmd  *exec.Cmd
	addr string
	logs *strings.Builder
}

// runServe starts "dealcoach serve" on the database db and a free
// loopback address, with env after the environment's, and waits until it
// answers /healthz. The process is killed when the test ends, if stop has
// not ended it.
func runServe(t testing.TB, db string, env ...string) *serveProc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(binary, "serve")
	// The load tests send far faster than a person: no rate limit unless asked.
	cmd.Env = append(append(os.Environ(), "DEALCOACH_DB="+db, "DEALCOACH_ADDR="+addr, "DEALCOACH_RATE_LIMIT=off"), env...)
	logs := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{t: t, cmd: cmd, addr: addr, logs: logs}
	t.Cleanup(func() { cmd.Process.Kill() })
	for range 200 {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("serve did not start: %s", logs.String())
	return nil
}

// stop interrupts serve and waits for it to end cleanly.
func (p *serveProc) stop() {
	p.t.Helper()
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Fatalf("serve exit: %v: %s", err, p.logs.String())
		}
	case <-time.After(15 * time.Second):
		p.t.Fatal("serve did not stop on an interrupt")
	}
}
