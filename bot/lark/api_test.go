package lark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/dealcoach/dealcoach/bot/adapter/queue"
)

var apps atomic.Int64

// uniqueApp returns an app id no other client of this process has used:
// the SDK caches tokens process-wide by app id and secret.
func uniqueApp() string {
	return fmt.Sprintf("cli_test_%d_%d", time.Now().UnixNano(), apps.Add(1))
}

// newTestAPI returns a client of f under an app id of its own.
func newTestAPI(t testing.TB, f *fakeLark) *api {
	t.Helper()
	return newAPI(uniqueApp(), "secret", f.url(), slog.New(slog.DiscardHandler))
}

func testCard(text string) map[string]any {
	return map[string]any{
		"config":   map[string]any{"update_multi": true},
		"header":   map[string]any{"title": map[string]any{"tag": "plain_text", "content": "Deal"}},
		"elements": []any{map[string]any{"tag": "markdown", "content": text}},
	}
}

// cardOf decodes a call's content, which must be a JSON string.
func cardOf(t *testing.T, c larkCall) map[string]any {
	t.Helper()
	s, ok := c.Body["content"].(string)
	if !ok {
		t.Fatalf("content is %T, want a JSON string: %s", c.Body["content"], c.Raw)
	}
	var card map[string]any
	if err := json.Unmarshal([]byte(s), &card); err != nil {
		t.Fatalf("content is not JSON: %v: %s", err, s)
	}
	return card
}

// same compares a card with its JSON round trip (numbers become float64).
func same(t *testing.T, got, want map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(want)
	var w map[string]any
	_ = json.Unmarshal(raw, &w)
	if d := cmp.Diff(w, got); d != "" {
		t.Errorf("card (-want +got):\n%s", d)
	}
}

func TestAPIReply(t *testing.T) {
	f := newFakeLark(t)
	c := newTestAPI(t, f)
	ctx := context.Background()
	card := testCard("**经信银行** <at id=all></at> & more")

	id, err := c.reply(ctx, "om_p2p", card, false, "")
	if err != nil || id != "om_fake_1" {
		t.Fatalf("reply = %q, %v", id, err)
	}
	id, err = c.reply(ctx, "om_group", card, true, "")
	if err != nil || id != "om_fake_2" {
		t.Fatalf("reply in thread = %q, %v", id, err)
	}
	calls := f.calls("/reply")
	if len(calls) != 2 {
		t.Fatalf("%d replies", len(calls))
	}
	for i, want := range []struct {
		path     string
		inThread bool
	}{{"/open-apis/im/v1/messages/om_p2p/reply", false}, {"/open-apis/im/v1/messages/om_group/reply", true}} {
		got := calls[i]
		if got.Method != http.MethodPost || got.Path != want.path || got.Auth != "Bearer "+fakeToken {
			t.Errorf("reply %d: %s %s auth %q", i, got.Method, got.Path, got.Auth)
		}
		if got.Body["msg_type"] != "interactive" || got.Body["reply_in_thread"] != want.inThread {
			t.Errorf("reply %d body: %s", i, got.Raw)
		}
		same(t, cardOf(t, got), card)
		// The card is sent as written: the content is not HTML-escaped.
		if s := got.Body["content"].(string); !strings.Contains(s, "<at id=all></at> & more") {
			t.Errorf("content was rewritten: %s", s)
		}
	}
}

func TestAPISend(t *testing.T) {
	f := newFakeLark(t)
	c := newTestAPI(t, f)
	card := testCard("周报")
	id, err := c.send(context.Background(), larkim.CreateMessageV1ReceiveIDTypeChatId, "oc_team", card, "")
	if err != nil || id != "om_fake_1" {
		t.Fatalf("send = %q, %v", id, err)
	}
	id, err = c.send(context.Background(), larkim.CreateMessageV1ReceiveIDTypeOpenId, "ou_wang", card, "u-1")
	if err != nil || id != "om_fake_2" {
		t.Fatalf("send to a person = %q, %v", id, err)
	}
	calls := f.calls("/im/v1/messages")
	for i, want := range []struct{ idType, to, uuid string }{{"chat_id", "oc_team", ""}, {"open_id", "ou_wang", "u-1"}} {
		got := calls[i]
		if got.Method != http.MethodPost || got.Path != "/open-apis/im/v1/messages" ||
			got.Query.Get("receive_id_type") != want.idType || got.Auth != "Bearer "+fakeToken {
			t.Fatalf("send %d: %s %s?%s auth %q", i, got.Method, got.Path, got.Query.Encode(), got.Auth)
		}
		if got.Body["receive_id"] != want.to || got.Body["msg_type"] != "interactive" {
			t.Fatalf("send %d body: %s", i, got.Raw)
		}
		if u, _ := got.Body["uuid"].(string); u != want.uuid {
			t.Fatalf("send %d uuid %q, want %q", i, u, want.uuid)
		}
		same(t, cardOf(t, got), card)
	}
}

func TestAPIUpdate(t *testing.T) {
	f := newFakeLark(t)
	c := newTestAPI(t, f)
	card := testCard("已赢单")
	if err := c.update(context.Background(), "om_card", card); err != nil {
		t.Fatal(err)
	}
	got := f.calls("/im/v1/messages")[0]
	if got.Method != http.MethodPatch || got.Path != "/open-apis/im/v1/messages/om_card" || got.Auth != "Bearer "+fakeToken {
		t.Fatalf("update: %s %s auth %q", got.Method, got.Path, got.Auth)
	}
	if _, ok := got.Body["msg_type"]; ok {
		t.Errorf("patch takes content only: %s", got.Raw)
	}
	same(t, cardOf(t, got), card)
}

func TestAPIUser(t *testing.T) {
	f := newFakeLark(t)
	c := newTestAPI(t, f)
	ctx := context.Background()
	f.setUser("ou_wang", "王芳", "Asia/Shanghai", "zh_cn")

	name, tz, locale, err := c.user(ctx, "ou_wang")
	if err != nil || name != "王芳" || tz != "Asia/Shanghai" || locale != "" {
		t.Fatalf("user = %q %q %q, %v", name, tz, locale, err)
	}
	got := f.calls("/contact/v3/users")[0]
	if got.Method != http.MethodGet || got.Path != "/open-apis/contact/v3/users/ou_wang" ||
		got.Query.Get("user_id_type") != "open_id" || got.Auth != "Bearer "+fakeToken {
		t.Fatalf("user: %s %s?%s auth %q", got.Method, got.Path, got.Query.Encode(), got.Auth)
	}

	// Outside the app's contact scope: an error, zero values, no retry.
	name, tz, locale, err = c.user(ctx, "ou_stranger")
	var ae *apiError
	if !errors.As(err, &ae) || ae.Code != 41050 || name != "" || tz != "" || locale != "" {
		t.Fatalf("stranger = %q %q %q, %v", name, tz, locale, err)
	}
	if retry, _ := classify(err); retry {
		t.Errorf("classify(%v) retries", err)
	}
}

func TestAPITokenFetchedOnceForManyCalls(t *testing.T) {
	f := newFakeLark(t)
	app := uniqueApp()
	c := newAPI(app, "s3cret", f.url(), slog.New(slog.DiscardHandler))
	ctx := context.Background()
	f.setUser("ou_1", "Ann", "", "")
	for i := range 3 {
		if _, err := c.reply(ctx, fmt.Sprint("om_", i), testCard("x"), false, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.send(ctx, larkim.CreateMessageV1ReceiveIDTypeChatId, "oc_1", testCard("x"), ""); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := c.user(ctx, "ou_1"); err != nil {
		t.Fatal(err)
	}
	tokens := f.calls("/tenant_access_token/internal")
	if len(tokens) != 1 {
		t.Fatalf("token fetched %d times for 5 calls", len(tokens))
	}
	if tokens[0].Method != http.MethodPost || tokens[0].Body["app_id"] != app || tokens[0].Body["app_secret"] != "s3cret" {
		t.Fatalf("token request: %s %s", tokens[0].Method, tokens[0].Raw)
	}
	// Every other call carried the token the fake handed out.
	for _, call := range f.calls("/open-apis/") {
		if !strings.Contains(call.Path, "tenant_access_token") && call.Auth != "Bearer "+fakeToken {
			t.Errorf("%s %s auth %q", call.Method, call.Path, call.Auth)
		}
	}
}

func TestFakeRequiresTheToken(t *testing.T) {
	f := newFakeLark(t)
	for auth, code := range map[string]float64{"": 99991661, "Bearer t-stale": 99991663} {
		req, _ := http.NewRequest(http.MethodPost, f.url()+"/open-apis/im/v1/messages/om_1/reply",
			strings.NewReader(`{"msg_type":"interactive","content":"{}"}`))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || body["code"] != code {
			t.Errorf("auth %q: %d %v", auth, resp.StatusCode, body)
		}
	}
	if n := len(f.calls("/reply")); n != 0 || f.refusedCalls("/reply") != 2 {
		t.Fatalf("%d accepted, %d refused", n, f.refusedCalls("/reply"))
	}
}

// The SDK hands a JSON 429 back as a response (err == nil, StatusCode 429,
// Code 99991400), and fails to decode a 429 without a JSON body, keeping
// the status only in the error's text. api reads the first and its
// httpDoer turns the second into an *apiError.
func TestAPISDKSurfacesRateLimitsAsResponses(t *testing.T) {
	f := newFakeLark(t)
	client := lark.NewClient(uniqueApp(), "secret", lark.WithOpenBaseUrl(f.url()), lark.WithLogLevel(larkcore.LogLevelError))
	req := func() *larkim.ReplyMessageReq {
		return larkim.NewReplyMessageReqBuilder().MessageId("om_1").
			Body(larkim.NewReplyMessageReqBodyBuilder().MsgType("interactive").Content("{}").Build()).Build()
	}
	f.limit("/reply", 1, true)
	resp, err := client.Im.V1.Message.Reply(context.Background(), req())
	if err != nil || resp.StatusCode != http.StatusTooManyRequests || resp.Code != codeRateLimited || resp.Success() ||
		resp.Header.Get("x-ogw-ratelimit-reset") != "1" {
		t.Fatalf("JSON 429: resp %+v, err %v", resp, err)
	}
	f.fail("/reply", 1, http.StatusTooManyRequests, http.Header{"X-Ogw-Ratelimit-Reset": {"1"}}, "Too Many Requests")
	if _, err = client.Im.V1.Message.Reply(context.Background(), req()); err == nil || !strings.Contains(err.Error(), "StatusCode: 429") {
		t.Fatalf("plain 429 through the bare SDK: %v", err)
	}

	c := newTestAPI(t, f)
	f.fail("/reply", 1, http.StatusTooManyRequests, http.Header{"X-Ogw-Ratelimit-Reset": {"3"}}, "Too Many Requests")
	_, err = c.reply(context.Background(), "om_1", testCard("x"), false, "")
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests || ae.RetryAfter != 3*time.Second {
		t.Fatalf("plain 429 through api: %v", err)
	}
	if retry, after := classify(err); !retry || after != 3*time.Second {
		t.Fatalf("classify(%v) = %v, %v", err, retry, after)
	}
}

func TestClassifyRateLimitsRetryAfterTheReset(t *testing.T) {
	for _, http429 := range []bool{true, false} {
		t.Run(fmt.Sprint("http429=", http429), func(t *testing.T) {
			f := newFakeLark(t)
			c := newTestAPI(t, f)
			f.limit("/reply", 1, http429)
			_, err := c.reply(context.Background(), "om_1", testCard("x"), false, "")
			var ae *apiError
			if !errors.As(err, &ae) || ae.Code != codeRateLimited || ae.RetryAfter != time.Second {
				t.Fatalf("err = %v", err)
			}
			if want := map[bool]int{true: 429, false: 200}[http429]; ae.Status != want {
				t.Errorf("status %d, want %d", ae.Status, want)
			}
			if !strings.Contains(err.Error(), "lark reply om_1") {
				t.Errorf("error lacks context: %v", err)
			}
			if retry, after := classify(err); !retry || after != time.Second {
				t.Fatalf("classify(%v) = %v, %v; want retry after 1s", err, retry, after)
			}
			// The limit was used up: the next call goes through.
			if _, err := c.reply(context.Background(), "om_1", testCard("x"), false, ""); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestClassifyServerErrorsRetryWithBackoff(t *testing.T) {
	for name, body := range map[string]string{
		"json":  `{"code":1500,"msg":"internal error"}`,
		"plain": "<html>502 Bad Gateway</html>",
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeLark(t)
			c := newTestAPI(t, f)
			status := map[string]int{"json": 500, "plain": 502}[name]
			f.fail("/open-apis/im/v1/messages", 1, status, nil, body)
			_, err := c.send(context.Background(), larkim.CreateMessageV1ReceiveIDTypeChatId, "oc_1", testCard("x"), "")
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != status {
				t.Fatalf("err = %v", err)
			}
			if retry, after := classify(err); !retry || after != 0 {
				t.Fatalf("classify(%v) = %v, %v; want backoff", err, retry, after)
			}
		})
	}
}

func TestClassifyUnknownChatGivesUp(t *testing.T) {
	f := newFakeLark(t)
	c := newTestAPI(t, f)
	f.fail("/open-apis/im/v1/messages", 1, http.StatusBadRequest, nil,
		`{"code":230002,"msg":"Bot/User can NOT be out of the chat."}`)
	_, err := c.send(context.Background(), larkim.CreateMessageV1ReceiveIDTypeChatId, "oc_gone", testCard("x"), "")
	var ae *apiError
	if !errors.As(err, &ae) || ae.Code != 230002 || ae.Status != http.StatusBadRequest || !strings.Contains(err.Error(), "oc_gone") {
		t.Fatalf("err = %v", err)
	}
	if retry, _ := classify(err); retry {
		t.Fatalf("classify(%v) retries", err)
	}
}

func TestClassifyNetworkErrorsRetry(t *testing.T) {
	f := newFakeLark(t)
	c := newTestAPI(t, f)
	f.srv.Close()
	_, err := c.reply(context.Background(), "om_1", testCard("x"), false, "")
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	var ae *apiError
	if errors.As(err, &ae) {
		t.Fatalf("a network error read as an answer: %v", err)
	}
	if retry, after := classify(err); !retry || after != 0 {
		t.Fatalf("classify(%v) = %v, %v; want backoff", err, retry, after)
	}
}

func TestClassifyTokenFetchRateLimited(t *testing.T) {
	f := newFakeLark(t)
	c := newTestAPI(t, f)
	f.limit("/tenant_access_token", 1, true)
	_, err := c.reply(context.Background(), "om_1", testCard("x"), false, "")
	if retry, after := classify(err); !retry || after != time.Second {
		t.Fatalf("classify(%v) = %v, %v; want retry after 1s", err, retry, after)
	}
	if len(f.calls("/reply")) != 0 {
		t.Fatal("replied without a token")
	}
}

func TestClassify(t *testing.T) {
	_, cardErr := cardJSON(map[string]any{"bad": func() {}})
	_, setupErr := newAPI("cli_x", "", "http://127.0.0.1:1", slog.New(slog.DiscardHandler)).
		reply(context.Background(), "om_1", testCard("x"), false, "")
	for _, tc := range []struct {
		name  string
		err   error
		retry bool
		after time.Duration
	}{
		{"429 with reset", &apiError{Status: 429, Code: codeRateLimited, RetryAfter: 5 * time.Second}, true, 5 * time.Second},
		{"429 without reset", &apiError{Status: 429}, true, time.Second},
		{"code on 400", fmt.Errorf("lark send: %w", &apiError{Status: 400, Code: codeRateLimited}), true, time.Second},
		{"chat limit", &apiError{Status: 400, Code: codeChatRateLimited}, true, time.Second},
		{"token fetch limited", sdkError(larkcore.CodeError{Code: codeRateLimited}), true, time.Second},
		{"500", &apiError{Status: 500, Code: 1500}, true, 0},
		{"503 page", &apiError{Status: 503}, true, 0},
		{"bot not in chat", &apiError{Status: 400, Code: 230002}, false, 0},
		{"bad token", &apiError{Status: 401, Code: 99991663}, false, 0},
		{"404 page", &apiError{Status: 404}, false, 0},
		{"card", cardErr, false, 0},
		{"no app secret", setupErr, false, 0},
		{"cancelled", fmt.Errorf("lark reply: %w", context.Canceled), false, 0},
		{"network", errors.New("dial tcp: connection refused"), true, 0},
	} {
		retry, after := classify(tc.err)
		if retry != tc.retry || after != tc.after {
			t.Errorf("%s: classify(%v) = %v, %v; want %v, %v", tc.name, tc.err, retry, after, tc.retry, tc.after)
		}
	}
}

// Replies go through a queue with classify: a rate-limited first call holds
// back the calls after it for the reset (1 s), and the order is kept.
func TestAPIQueueWaitsForTheResetAndKeepsOrder(t *testing.T) {
	for _, http429 := range []bool{true, false} {
		t.Run(fmt.Sprint("http429=", http429), func(t *testing.T) {
			t.Parallel()
			f := newFakeLark(t)
			c := newTestAPI(t, f)
			f.limit("/reply", 1, http429)
			// Whether a retry waited for the platform's reset is what the
			// queue tells OnRetry (no clock is read: the machine may be slow).
			var mu sync.Mutex
			var retries []bool
			q := queue.New(queue.Config{Classify: classify, BaseDelay: 10 * time.Millisecond,
				MaxDelay: 50 * time.Millisecond, Log: slog.New(slog.DiscardHandler),
				OnRetry: func(_ string, _ error, rateLimited bool) {
					mu.Lock()
					retries = append(retries, rateLimited)
					mu.Unlock()
				}})
			texts := []string{"甲公司", "乙公司", "丙公司"}
			for i, text := range texts {
				err := q.Send("oc_1", func(ctx context.Context) error {
					_, err := c.reply(ctx, fmt.Sprint("om_", i), testCard(text), false, "")
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			replies := f.wait(t, "/reply", len(texts))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := q.Close(ctx); err != nil {
				t.Fatal(err)
			}
			for i, want := range texts {
				if !strings.Contains(replies[i].Body["content"].(string), want) {
					t.Fatalf("reply %d is %s, want %s: order lost", i, replies[i].Raw, want)
				}
			}
			if f.refusedCalls("/reply") != 1 {
				t.Fatalf("%d refused replies, want 1", f.refusedCalls("/reply"))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(retries) != 1 || !retries[0] {
				t.Fatalf("retries %v, want one that waited for the platform's reset (classify's 1 s)", retries)
			}
		})
	}
}
