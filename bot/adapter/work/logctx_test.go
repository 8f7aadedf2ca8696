package work

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/dealcoach/dealcoach/bot/adapter/logctx"
)

// A task's context carries its event id onto every line logged with it.
func TestTaskLinesCarryTheEventID(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	log := slog.New(logctx.Handler(slog.NewJSONHandler(&lockedWriter{&mu, &buf}, nil)))
	p := NewPool(1, 4, log)
	done := make(chan struct{})
	p.Add(Task{Key: "Ev42", Run: func(ctx context.Context) {
		log.InfoContext(ctx, "deep in the core")
		close(done)
	}}, 0)
	<-done
	p.Close(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), `"event":"Ev42"`) {
		t.Fatalf("the task's line lacks its event id: %s", buf.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
