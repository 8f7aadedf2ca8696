package slack

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/dealcoach/dealcoach/bot/adapter/replay"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
)

// Slack's documented signing example (api.slack.com/authentication/verifying-requests-from-slack).
const (
	exampleSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	exampleTimestamp = 1531420618
	exampleSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	exampleBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)

func TestVerifiedWithSlacksExample(t *testing.T) {
	// The verifier reads the real clock: a synctest bubble moves its fake
	// clock to the example's time, 30 s after it was signed.
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Unix(exampleTimestamp+30, 0)))
		var got string
		h := Verified(exampleSecret, replay.New(10), slog.New(slog.NewTextHandler(io.Discard, nil)), func(w http.ResponseWriter, r *http.Request, body []byte) {
			got = string(body)
		})
		send := func(secretSig, ts, body string) int {
			req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
			if ts != "" {
				req.Header.Set("X-Slack-Request-Timestamp", ts)
			}
			if secretSig != "" {
				req.Header.Set("X-Slack-Signature", secretSig)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w.Code
		}
		ts := "1531420618"
		if code := send(exampleSignature, ts, exampleBody); code != http.StatusOK || got != exampleBody {
			t.Fatalf("the documented example: %d, body %q", code, got)
		}
		got = ""
		tests := []struct {
			name, sig, ts, body string
			want                int
		}{
			{"tampered body", exampleSignature, ts, exampleBody + "&text=won", http.StatusUnauthorized},
			{"wrong signature", "v0=" + strings.Repeat("0", 64), ts, exampleBody, http.StatusUnauthorized},
			{"no signature", "", ts, exampleBody, http.StatusUnauthorized},
			{"no timestamp", exampleSignature, "", exampleBody, http.StatusUnauthorized},
			{"other timestamp", exampleSignature, "1531420619", exampleBody, http.StatusUnauthorized},
			{"oversized", exampleSignature, ts, strings.Repeat("x", work.MaxBody+1), http.StatusRequestEntityTooLarge},
		}
		for _, tt := range tests {
			if code := send(tt.sig, tt.ts, tt.body); code != tt.want || got != "" {
				t.Errorf("%s: %d (handler saw %q), want %d", tt.name, code, got, tt.want)
			}
		}
		// Sent again within the window (a retry reusing its headers, or a
		// replay): acknowledged, not handled. Forged, still refused.
		if code := send(exampleSignature, ts, exampleBody); code != http.StatusOK || got != "" {
			t.Errorf("seen again: %d, handler saw %q", code, got)
		}
		if code := send("v0="+strings.Repeat("1", 64), ts, exampleBody); code != http.StatusUnauthorized {
			t.Errorf("forged after a genuine one: %d", code)
		}
		// ssl_check is answered, signed or not, and reaches no handler.
		if code := send("", "", "ssl_check=1&token=xyzz0WbapA4vBCDEFasx0q6G"); code != http.StatusOK || got != "" {
			t.Errorf("ssl_check: %d, handler saw %q", code, got)
		}
		// Replayed six minutes later, the same signed request is refused.
		time.Sleep(6 * time.Minute)
		if code := send(exampleSignature, ts, exampleBody); code != http.StatusUnauthorized || got != "" {
			t.Errorf("replay after 6 minutes: %d", code)
		}
	})
}
