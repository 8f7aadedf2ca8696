package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	larkbot "github.com/dealcoach/dealcoach/bot/lark"
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
	p := startServe(t, db, api.URL, "2026-11-24T10:00:00+08:00", "DEALCOACH_LANG=zh")
	if code, _ := p.post("C1", "new 经信银行 120万", false); code != http.StatusUnauthorized {
		t.Fatalf("unsigned: %d", code)
	}
	if got := p.command("C1", "new 经信银行 120万"); !strings.Contains(got, "经信银行") {
		t.Fatalf("signed: %s", got)
	}
	p.stop()
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

// "dealcoach serve" with Lark over HTTP: an encrypted, signed message
// event is acknowledged, handled and replied to through the open platform;
// a forged one is refused.
func TestServeLarkEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	replies := make(chan string, 4)
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.Contains(r.URL.Path, "tenant_access_token"):
			fmt.Fprint(w, `{"code":0,"msg":"ok","tenant_access_token":"t-e2e","expire":7200}`)
		case strings.Contains(r.URL.Path, "/contact/"):
			fmt.Fprint(w, `{"code":0,"msg":"success","data":{"user":{"name":"王芳","time_zone":"Asia/Shanghai"}}}`)
		default:
			replies <- string(raw)
			fmt.Fprint(w, `{"code":0,"msg":"success","data":{"message_id":"om_reply"}}`)
		}
	}))
	defer platform.Close()
	const key, token = "e2e key", "e2e-token"
	srv := runServe(t, db, "DEALCOACH_NOW=2026-11-24T10:00:00+08:00", "LARK_APP_ID=cli_e2e", "LARK_APP_SECRET=secret",
		"LARK_VERIFICATION_TOKEN="+token, "LARK_ENCRYPT_KEY="+key, "LARK_BASE_URL="+platform.URL)
	content, _ := json.Marshal(map[string]string{"text": "新商机 经信银行 120万"})
	ev, _ := json.Marshal(map[string]any{"schema": "2.0",
		"header": map[string]any{"event_id": "ev1", "event_type": "im.message.receive_v1", "create_time": "1764000000000",
			"token": token, "app_id": "cli_e2e", "tenant_key": "t1"},
		"event": map[string]any{
			"sender": map[string]any{"sender_id": map[string]any{"open_id": "ou_wang"}, "sender_type": "user"},
			"message": map[string]any{"message_id": "om_1", "create_time": "1764000000000", "chat_id": "oc_1",
				"chat_type": "p2p", "message_type": "text", "content": string(content)}}})
	enc, err := larkbot.Encrypt(ev, key)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"encrypt": enc})
	post := func(sig string) int {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		if sig == "" {
			sig = larkbot.Signature(ts, "nonce", key, body)
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+srv.addr+"/lark/events", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Lark-Request-Timestamp", ts)
		req.Header.Set("X-Lark-Request-Nonce", "nonce")
		req.Header.Set("X-Lark-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(strings.Repeat("0", 64)); code != http.StatusUnauthorized {
		t.Fatalf("forged: %d", code)
	}
	if code := post(""); code != http.StatusOK {
		t.Fatalf("genuine: %d: %s", code, srv.logs.String())
	}
	select {
	case got := <-replies:
		if !strings.Contains(got, "经信银行") {
			t.Fatalf("reply %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no reply: %s", srv.logs.String())
	}
	srv.stop()
	out, _, _ := dealcoach(t, db, "", "export")
	if !strings.Contains(out, "经信银行") || !strings.Contains(out, "王芳") {
		t.Fatalf("export: %s", out)
	}
}
