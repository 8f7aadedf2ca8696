package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// "dealcoach serve" with Slack configured: a signed /deal reaches the core
// and is committed; an unsigned one is refused; the process stops cleanly
// on an interrupt, and what was said is in the export.
func TestServeSlackEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"ok":true,"user":{"id":"U1","name":"wang","tz":"Asia/Shanghai","locale":"zh-CN","profile":{"display_name":"王芳"}}}`)
	}))
	defer api.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), "DEALCOACH_DB="+db, "DEALCOACH_ADDR="+addr, "DEALCOACH_NOW=2026-11-24T10:00:00+08:00",
		"SLACK_BOT_TOKEN=xoxb-e2e", "SLACK_SIGNING_SECRET=e2e-secret", "SLACK_API_URL="+api.URL+"/api")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	up := false
	for range 200 {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			up = resp.StatusCode == http.StatusOK
			if up {
				break
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	if !up {
		t.Fatalf("serve did not start: %s", logs.String())
	}
	post := func(text string, signed bool) (int, string) {
		body := url.Values{"team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {"U1"}, "user_name": {"wang"},
			"command": {"/deal"}, "text": {text}, "response_url": {api.URL + "/respond"},
			"trigger_id": {strconv.FormatInt(time.Now().UnixNano(), 10)}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if signed {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			mac := hmac.New(sha256.New, []byte("e2e-secret"))
			fmt.Fprintf(mac, "v0:%s:%s", ts, body)
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	if code, _ := post("new 经信银行 120万", false); code != http.StatusUnauthorized {
		t.Fatalf("unsigned: %d", code)
	}
	code, got := post("new 经信银行 120万", true)
	if code != http.StatusOK || !strings.Contains(got, "经信银行") {
		t.Fatalf("signed: %d %s", code, got)
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exit: %v: %s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on an interrupt")
	}
	out, _, _ := dealcoach(t, db, "", "export")
	var deals []exported
	if err := json.NewDecoder(strings.NewReader(out)).Decode(&deals); err != nil || len(deals) != 1 ||
		deals[0].Customer != "经信银行" || deals[0].Owner != "王芳" {
		t.Fatalf("export: %v %s", err, out)
	}
}

func TestSlackConfigNeedsASecretOrAnAppToken(t *testing.T) {
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), "DEALCOACH_DB="+filepath.Join(t.TempDir(), "x.db"), "SLACK_BOT_TOKEN=xoxb-1",
		"SLACK_SIGNING_SECRET=", "SLACK_APP_TOKEN=")
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "SLACK_SIGNING_SECRET") {
		t.Fatalf("serve with a token alone: %v, %s", err, msg)
	}
}

func TestLarkConfigRefusesHTTPWithoutAnEncryptKey(t *testing.T) {
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), "DEALCOACH_DB="+filepath.Join(t.TempDir(), "x.db"), "LARK_APP_ID=cli_1",
		"LARK_APP_SECRET=s", "LARK_VERIFICATION_TOKEN=t", "LARK_ENCRYPT_KEY=", "LARK_ALLOW_PLAIN=")
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "LARK_ENCRYPT_KEY") {
		t.Fatalf("serve over HTTP without a key: %v, %s", err, msg)
	}
}
