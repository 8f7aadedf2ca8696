package slack

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot/adapter/replay"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
)

// Verified wraps a handler of Slack requests: it reads the body (at most
// 1 MiB, else 413) and checks its v0 signature with the signing secret and
// a timestamp within five minutes (slack-go's verifier), answering 401
// with no effect otherwise. next gets the raw, verified body.
//
// A genuine request whose signature was seen before (a platform retry
// that reused its headers, or a captured request sent again) is
// acknowledged with an empty 200 and has no effect: an error would make a
// retry look like a failure, and Slack disables event delivery to apps
// that fail too often. Only the URL check is answered again (its echo
// has no effect). When next fails (5xx) the signature is forgotten, so
// that the platform's retry is handled.
//
// Slack's ssl_check (a form with ssl_check=1, sent to the command URL to
// check its certificate, and not necessarily signed) is answered 200 with
// no effect.
func Verified(secret string, replays *replay.Guard, log *slog.Logger, next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := work.ReadBody(w, r)
		if !ok {
			return
		}
		if isSSLCheck(body) {
			log.DebugContext(r.Context(), "slack ssl_check answered")
			w.WriteHeader(http.StatusOK)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			_, err = sv.Write(body)
		}
		if err == nil {
			err = sv.Ensure()
		}
		if err != nil {
			log.WarnContext(r.Context(), "slack request refused", "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		sig := r.Header.Get("X-Slack-Signature")
		if !replays.Fresh(sig, time.Now()) && !isURLVerification(body) {
			log.InfoContext(r.Context(), "slack request seen before: acknowledged, ignored", "retry", r.Header.Get("X-Slack-Retry-Num"))
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusOK)
			return
		}
		sw := work.NewStatusWriter(w)
		next(sw, r, body)
		if sw.Status >= http.StatusInternalServerError {
			replays.Forget(sig)
		}
	})
}

// isSSLCheck tells Slack's certificate check: a form with ssl_check=1
// and no command.
func isSSLCheck(body []byte) bool {
	if !bytes.Contains(body, []byte("ssl_check=")) {
		return false
	}
	f, err := url.ParseQuery(string(body))
	return err == nil && f.Get("ssl_check") == "1" && f.Get("command") == ""
}

// isURLVerification tells the Events API's URL check.
func isURLVerification(body []byte) bool {
	if !bytes.Contains(body, []byte("url_verification")) {
		return false
	}
	var head struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(body, &head) == nil && head.Type == "url_verification"
}
