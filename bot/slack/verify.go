package slack

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// maxBody bounds a Slack request; Slack's own payloads are far smaller.
const maxBody = 1 << 20

// Verified wraps a handler of Slack requests: it reads the body (at most
// 1 MiB, else 413) and checks its v0 signature with the signing secret and
// a timestamp within five minutes (slack-go's verifier), then that the
// same signed request was not seen before (replays). It answers 401 with
// no effect otherwise. next gets the raw, verified body.
func Verified(secret string, replays *Replays, log *slog.Logger, next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
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

// Replays remembers the signatures of verified requests for as long as
// their timestamps pass the verifier, so that a captured request sent
// again is refused. (Slack's own retries are new requests, signed anew.)
// It keeps at most max signatures, forgetting the oldest first.
type Replays struct {
	mu    sync.Mutex
	max   int
	seen  map[sigKey]struct{}
	order []seenSig // in arrival order
	head  int       // order[head:] are remembered
}

// sigKey is the first 64 bits of a signature: among the at most 100,000
// kept, two requests share one by chance about once in 10^9 years of
// traffic, and a key takes an eighth of the memory.
type sigKey uint64

type seenSig struct {
	key   sigKey
	until int64 // unix seconds after which the verifier refuses it anyway
}

// replayWindow outlasts the verifier's: a timestamp may be up to five
// minutes old or ahead.
const replayWindow = 10 * time.Minute

// NewReplays makes a replay guard of at most max signatures.
func NewReplays(max int) *Replays {
	return &Replays{max: max, seen: map[sigKey]struct{}{}}
}

// Fresh records a request's signature header ("v0=…") seen at now and
// reports whether it was new.
func (g *Replays) Fresh(signature string, now time.Time) bool {
	raw, err := hex.DecodeString(strings.TrimPrefix(signature, "v0="))
	if err != nil || len(raw) < 8 {
		return false
	}
	k := sigKey(binary.BigEndian.Uint64(raw))
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.head < len(g.order) && (g.order[g.head].until < now.Unix() || len(g.order)-g.head >= g.max) {
		delete(g.seen, g.order[g.head].key)
		g.head++
	}
	if g.head > len(g.order)/2 { // reuse the slice's front
		g.order = append(g.order[:0], g.order[g.head:]...)
		g.head = 0
	}
	if _, ok := g.seen[k]; ok {
		return false
	}
	g.seen[k] = struct{}{}
	g.order = append(g.order, seenSig{key: k, until: now.Add(replayWindow).Unix()})
	return true
}
