package lark

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
)

const (
	apiTimeout = 10 * time.Second // one open-platform call, token fetch included

	// codeRateLimited is the open platform's "request trigger frequency
	// limit", sent with HTTP 429 (or 400, or 200 on older APIs).
	codeRateLimited = 99991400
	// codeChatRateLimited is im's per-chat limit (5 QPS shared by the
	// chat's bots); it comes without a reset header.
	codeChatRateLimited = 230020
	// defaultReset is the wait after a rate limit that names none.
	defaultReset = time.Second
)

// errCard marks a card that cannot be encoded: retrying will not help.
var errCard = errors.New("card cannot be encoded")

// api talks to the open platform (Feishu, Lark, or a fake) through the SDK
// client's message, image and user resources. It keeps those alone, behind
// interfaces, and not the client: the outbox holds an api inside an
// interface value, and the linker, which keeps every exported method of a
// type reflection could reach (text/template reflects), then kept all the
// client's services, 4.5 MB of binary and resident memory.
type api struct {
	messages interface {
		Create(context.Context, *larkim.CreateMessageReq, ...larkcore.RequestOptionFunc) (*larkim.CreateMessageResp, error)
		Reply(context.Context, *larkim.ReplyMessageReq, ...larkcore.RequestOptionFunc) (*larkim.ReplyMessageResp, error)
		Patch(context.Context, *larkim.PatchMessageReq, ...larkcore.RequestOptionFunc) (*larkim.PatchMessageResp, error)
	}
	images interface {
		Create(context.Context, *larkim.CreateImageReq, ...larkcore.RequestOptionFunc) (*larkim.CreateImageResp, error)
	}
	users interface {
		Get(context.Context, *larkcontact.GetUserReq, ...larkcore.RequestOptionFunc) (*larkcontact.GetUserResp, error)
	}
	// get calls an API the SDK has no typed client for (bot/v3/info), with
	// the tenant token. A function, not the client, for the reason above.
	get func(ctx context.Context, path string) (*larkcore.ApiResp, error)
}

// newAPI builds the SDK client for baseURL (Feishu's when empty). The SDK
// fetches the tenant_access_token and caches it until shortly before it
// expires. Its cache is process-wide and keyed by app id and secret, not by
// base URL; lark.WithTokenCache is avoided because it swaps a package
// variable of the SDK without a lock.
func newAPI(appID, appSecret, baseURL string, log *slog.Logger, wrap ...func(http.RoundTripper) http.RoundTripper) *api {
	if log == nil {
		log = slog.Default()
	}
	if baseURL == "" {
		baseURL = lark.FeishuBaseUrl
	}
	client := lark.NewClient(appID, appSecret,
		lark.WithOpenBaseUrl(strings.TrimRight(baseURL, "/")),
		lark.WithEnableTokenCache(true),
		lark.WithHttpClient(httpDoer{&http.Client{Timeout: apiTimeout, Transport: wrapped(transport(), wrap)}}),
		lark.WithLogger(sdkLogger{log}),
		lark.WithLogLevel(larkcore.LogLevelWarn),
	)
	return &api{messages: client.Im.V1.Message, images: client.Im.V1.Image, users: client.Contact.V3.User,
		get: func(ctx context.Context, path string) (*larkcore.ApiResp, error) {
			return client.Get(ctx, path, nil, larkcore.AccessTokenTypeTenant)
		}}
}

// botInfo asks bot/v3/info for the bot's open_id: mentions of the bot are
// told by it.
func (c *api) botInfo(ctx context.Context) (openID string, err error) {
	if c.get == nil {
		return "", errors.New("lark bot info: no client")
	}
	resp, err := c.get(ctx, "/open-apis/bot/v3/info")
	if err != nil {
		return "", fmt.Errorf("lark bot info: %w", sdkError(err))
	}
	var body struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Bot  struct {
			OpenID string `json:"open_id"`
		} `json:"bot"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("lark bot info: HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(resp.RawBody, &body); err != nil {
		return "", fmt.Errorf("lark bot info: %w", err)
	}
	if body.Code != 0 || body.Bot.OpenID == "" {
		return "", fmt.Errorf("lark bot info: code %d %s", body.Code, body.Msg)
	}
	return body.Bot.OpenID, nil
}

// reply answers a message with a card, in the message's thread when
// inThread, and returns the new message's id.
func (c *api) reply(ctx context.Context, messageID string, card map[string]any, inThread bool, uuid string) (string, error) {
	content, err := cardJSON(card)
	if err != nil {
		return "", fmt.Errorf("lark reply %s: %w", messageID, err)
	}
	body := larkim.NewReplyMessageReqBodyBuilder().
		MsgType(larkim.MsgTypeInteractive).
		Content(content).
		ReplyInThread(inThread)
	if uuid != "" {
		// Lark sends one message per uuid within an hour: a retry after a
		// timeout that Lark had in fact served does not send it twice.
		body = body.Uuid(uuid)
	}
	req := larkim.NewReplyMessageReqBuilder().MessageId(messageID).Body(body.Build()).Build()
	resp, err := c.messages.Reply(ctx, req)
	if err != nil {
		return "", fmt.Errorf("lark reply %s: %w", messageID, sdkError(err))
	}
	if err := failure(resp.ApiResp, resp.CodeError); err != nil {
		return "", fmt.Errorf("lark reply %s: %w", messageID, err)
	}
	if resp.Data == nil {
		return "", nil
	}
	return larkcore.StringValue(resp.Data.MessageId), nil
}

// send posts a card to to, a chat (idType larkim.CreateMessageV1ReceiveIDTypeChatId)
// or a person (…OpenId: Lark delivers it in the bot's private chat with them),
// and returns the new message's id. As in reply, Lark sends at most one
// message per uuid within an hour.
func (c *api) send(ctx context.Context, idType, to string, card map[string]any, uuid string) (string, error) {
	content, err := cardJSON(card)
	if err != nil {
		return "", fmt.Errorf("lark send %s: %w", to, err)
	}
	body := larkim.NewCreateMessageReqBodyBuilder().
		ReceiveId(to).
		MsgType(larkim.MsgTypeInteractive).
		Content(content)
	if uuid != "" {
		body = body.Uuid(uuid)
	}
	req := larkim.NewCreateMessageReqBuilder().ReceiveIdType(idType).Body(body.Build()).Build()
	resp, err := c.messages.Create(ctx, req)
	if err != nil {
		return "", fmt.Errorf("lark send %s: %w", to, sdkError(err))
	}
	if err := failure(resp.ApiResp, resp.CodeError); err != nil {
		return "", fmt.Errorf("lark send %s: %w", to, err)
	}
	if resp.Data == nil {
		return "", nil
	}
	return larkcore.StringValue(resp.Data.MessageId), nil
}

// update replaces the content of a card already sent. Lark updates only
// cards whose config says "update_multi": true, before and after.
func (c *api) update(ctx context.Context, messageID string, card map[string]any) error {
	content, err := cardJSON(card)
	if err != nil {
		return fmt.Errorf("lark update %s: %w", messageID, err)
	}
	req := larkim.NewPatchMessageReqBuilder().
		MessageId(messageID).
		Body(larkim.NewPatchMessageReqBodyBuilder().Content(content).Build()).
		Build()
	resp, err := c.messages.Patch(ctx, req)
	if err != nil {
		return fmt.Errorf("lark update %s: %w", messageID, sdkError(err))
	}
	if err := failure(resp.ApiResp, resp.CodeError); err != nil {
		return fmt.Errorf("lark update %s: %w", messageID, err)
	}
	return nil
}

// user reads a person's name and time zone by open_id, as far as the app's
// contact scope and field permissions allow (a field the app may not read
// comes back empty). contact.v3 has no locale field, so locale is always
// empty. A person outside the app's contact scope is an error.
func (c *api) user(ctx context.Context, openID string) (name, tz, locale string, err error) {
	req := larkcontact.NewGetUserReqBuilder().
		UserId(openID).
		UserIdType(larkcontact.UserIdTypeOpenId).
		Build()
	resp, err := c.users.Get(ctx, req)
	if err != nil {
		return "", "", "", fmt.Errorf("lark user %s: %w", openID, sdkError(err))
	}
	if err := failure(resp.ApiResp, resp.CodeError); err != nil {
		return "", "", "", fmt.Errorf("lark user %s: %w", openID, err)
	}
	if resp.Data == nil || resp.Data.User == nil {
		return "", "", "", nil
	}
	u := resp.Data.User
	name = larkcore.StringValue(u.Name)
	if name == "" {
		name = larkcore.StringValue(u.EnName)
	}
	return name, larkcore.StringValue(u.TimeZone), "", nil
}

// classify is for queue.Config.Classify: a rate limit → retry after the
// x-ogw-ratelimit-reset header's seconds (default 1 s); server errors (5xx)
// and network errors → retry with backoff; other API errors (a code in the
// body, or a 4xx) and cards that cannot be encoded → give up.
func classify(err error) (retry bool, after time.Duration) {
	if errors.Is(err, errCard) || errors.Is(err, context.Canceled) {
		return false, 0
	}
	var ae *apiError
	if errors.As(err, &ae) {
		switch {
		case ae.Status == http.StatusTooManyRequests || ae.Code == codeRateLimited || ae.Code == codeChatRateLimited:
			return true, max(ae.RetryAfter, defaultReset)
		case ae.Status >= 500:
			return true, 0
		}
		return false, 0
	}
	var bad *larkcore.IllegalParamError // e.g. no app secret: a setup error
	if errors.As(err, &bad) {
		return false, 0
	}
	// Dial failures, timeouts (the SDK's ClientTimeoutError and, for 504,
	// ServerTimeoutError) and unreadable answers: the network.
	return true, 0
}

// apiError is an open-platform call that was answered but failed.
type apiError struct {
	Status     int           // HTTP status; 0 when the SDK did not pass it on (a failed token fetch)
	Code       int           // the body's code; 0 when the body had none
	Msg        string        // the body's msg, or the status text
	RetryAfter time.Duration // x-ogw-ratelimit-reset; 0 when absent
}

func (e *apiError) Error() string {
	var b strings.Builder
	b.WriteString("lark api")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, ": code %d", e.Code)
	}
	if e.Msg != "" {
		fmt.Fprintf(&b, ": %s", e.Msg)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// failure reads an answered call: nil on success, else an *apiError.
// Lark says a rate limit with HTTP 429 and code 99991400 in a JSON body, and
// the SDK hands such an answer back as a response, not as an error.
func failure(resp *larkcore.ApiResp, ce larkcore.CodeError) error {
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if ce.Code == 0 && status < 400 {
		return nil
	}
	e := &apiError{Status: status, Code: ce.Code, Msg: ce.Msg}
	if resp != nil {
		e.RetryAfter = resetAfter(resp.Header)
	}
	if e.Msg == "" {
		e.Msg = http.StatusText(status)
	}
	return e
}

// sdkError reads an error the SDK returned. A failed token fetch comes back
// as the token endpoint's larkcore.CodeError (without status or headers);
// it becomes an *apiError so that classify can read its code.
func sdkError(err error) error {
	var ce larkcore.CodeError
	if errors.As(err, &ce) {
		return &apiError{Code: ce.Code, Msg: ce.Msg}
	}
	var pce *larkcore.CodeError
	if errors.As(err, &pce) && pce != nil {
		return &apiError{Code: pce.Code, Msg: pce.Msg}
	}
	return err
}

// resetAfter reads x-ogw-ratelimit-reset: the seconds until the limit's
// window reopens.
func resetAfter(h http.Header) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(h.Get("x-ogw-ratelimit-reset")))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

// cardJSON encodes a card as the content string of an interactive message.
// HTML is left unescaped so the content is the card as written.
func cardJSON(card map[string]any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(card); err != nil {
		return "", fmt.Errorf("%w: %w", errCard, err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// httpDoer is the SDK's HTTP client. It turns an error answer without a
// JSON body (a gateway's 429, 502 or 503 page) into an *apiError: the SDK
// would fail to decode such a body and return an error that carries the
// status only in its text.
// transport keeps a connection per chat being answered: the default keeps
// two idle connections a host, so replies to many chats at once would open
// and close a connection each.
func transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 64, 64
	return t
}

// wrapped applies the optional wrappers (the metrics') to t.
func wrapped(t http.RoundTripper, wrap []func(http.RoundTripper) http.RoundTripper) http.RoundTripper {
	for _, w := range wrap {
		if w != nil {
			t = w(t)
		}
	}
	return t
}

type httpDoer struct{ c *http.Client }

func (d httpDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil || resp.StatusCode < 400 || strings.Contains(resp.Header.Get("Content-Type"), "application/json") {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	return nil, &apiError{Status: resp.StatusCode, Msg: http.StatusText(resp.StatusCode), RetryAfter: resetAfter(resp.Header)}
}

// sdkLogger routes the SDK's own log lines to slog at debug level: every
// failure it logs is also returned, and logged once by whoever handles it.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Debug(ctx context.Context, args ...any) { l.emit(ctx, "debug", args) }
func (l sdkLogger) Info(ctx context.Context, args ...any)  { l.emit(ctx, "info", args) }
func (l sdkLogger) Warn(ctx context.Context, args ...any)  { l.emit(ctx, "warn", args) }
func (l sdkLogger) Error(ctx context.Context, args ...any) { l.emit(ctx, "error", args) }

func (l sdkLogger) emit(ctx context.Context, level string, args []any) {
	l.log.DebugContext(ctx, "lark sdk", "sdk_level", level, "detail", fmt.Sprint(args...))
}
