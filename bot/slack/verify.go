package slack

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/slack-go/slack"
)

// maxBody bounds a Slack request; Slack's own payloads are far smaller.
const maxBody = 1 << 20

// Verified wraps a handler of Slack requests: it reads the body (at most
// 1 MiB, else 413) and checks its v0 signature with the signing secret and
// a timestamp within five minutes (slack-go's verifier), answering 401
// with no effect otherwise. next gets the raw, verified body.
func Verified(secret string, log *slog.Logger, next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read request", http.StatusBadRequest)
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
			log.WarnContext(r.Context(), "slack request refused", "platform", "slack", "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}
