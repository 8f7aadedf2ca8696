package slack

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot/replay"
)

// maxBody bounds a Slack request; Slack's own payloads are far smaller.
const maxBody = 1 << 20

// Verified wraps a handler of Slack requests: it reads the body (at most
// 1 MiB, else 413) and checks its v0 signature with the signing secret and
// a timestamp within five minutes (slack-go's verifier), then that the
// same signed request was not seen before (replays). It answers 401 with
// no effect otherwise. next gets the raw, verified body.
func Verified(secret string, replays *replay.Guard, log *slog.Logger, next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
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
		if err == nil && !replays.Fresh(r.Header.Get("X-Slack-Signature"), time.Now()) {
			err = errors.New("replayed request")
		}
		if err != nil {
			log.WarnContext(r.Context(), "slack request refused", "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}
