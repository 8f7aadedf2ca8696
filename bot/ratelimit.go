package bot

import (
	"sync"
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// RateLimit bounds how fast one person's chat updates are taken: Burst at
// once, then one every Every (a token bucket). The zero value takes all.
// It guards the one writer every team shares against a script or a stuck
// client; a person typing never meets it.
type RateLimit struct {
	Burst int
	Every time.Duration
}

func (r RateLimit) on() bool { return r.Burst > 0 && r.Every > 0 }

// limiter holds a bucket per person. Buckets full again are dropped when
// the map grows, so that it holds the people active lately only.
type limiter struct {
	cfg RateLimit
	now func() time.Time // the real clock: DEALCOACH_NOW pins the core's

	mu      sync.Mutex
	buckets map[int64]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// limiterPrune is the map's size at which full buckets are dropped.
const limiterPrune = 10_000

func newLimiter(cfg RateLimit) *limiter {
	return &limiter{cfg: cfg, now: time.Now, buckets: map[int64]*bucket{}}
}

// allow takes a token of person's bucket, reporting whether there was one.
func (l *limiter) allow(person int64) bool {
	if l == nil || !l.cfg.on() {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[person]
	if b == nil {
		if len(l.buckets) >= limiterPrune {
			l.prune(now)
		}
		b = &bucket{tokens: float64(l.cfg.Burst), at: now}
		l.buckets[person] = b
	}
	b.tokens = min(float64(l.cfg.Burst), b.tokens+float64(now.Sub(b.at))/float64(l.cfg.Every))
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *limiter) prune(now time.Time) {
	for id, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.cfg.Every) >= float64(l.cfg.Burst) {
			delete(l.buckets, id)
		}
	}
}

// limited are the kinds of message that change deals, which the rate
// limit counts: reading (list, show, help, the coaching's walks…) is never
// refused.
func limited(k parse.Kind) bool {
	switch k {
	case parse.New, parse.Update, parse.Won, parse.Lost, parse.Qualify, parse.Contact, parse.Snooze, parse.Team, parse.Remind, parse.Done:
		return true
	}
	return false
}

// rateLimited is the polite refusal of an update that came too fast.
func (b *Bot) rateLimited(lang, platform string) Reply {
	b.cfg.Metrics.RateLimited(platform)
	r := b.errorReply(lang, coach.Errorf(coach.Invalid, "err.rate_limited"))
	r.code = "rate_limited"
	return r
}
