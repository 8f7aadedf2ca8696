package queue

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// OnRetry hears of every retry, and whether the platform asked for the wait.
func TestOnRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var got []bool
		rec := newRecorder()
		q := New(Config{Classify: classify, Log: discard(), OnRetry: func(key string, err error, rateLimited bool) {
			mu.Lock()
			got = append(got, rateLimited)
			mu.Unlock()
		}})
		mustSend(t, q, "C1", rec.job("C1/1", &rateLimited{time.Second}, errors.New("connection reset")))
		if err := q.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 2 || !got[0] || got[1] {
			t.Fatalf("OnRetry heard %v, want [true false]: a 429, then an error", got)
		}
	})
}
