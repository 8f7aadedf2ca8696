package logctx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestContextAttrsOnEveryLine(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Handler(slog.NewJSONHandler(&buf, nil))).With("platform", "slack")
	ctx := With(context.Background(), "request_id", "r1")
	ctx = With(ctx, "event", "Ev1")
	log.InfoContext(ctx, "one", "n", 1)
	log.WithGroup("g").WarnContext(ctx, "two")
	log.Info("no context")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for i, l := range lines[:2] {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		flat := l
		if !strings.Contains(flat, `"request_id":"r1"`) || !strings.Contains(flat, `"event":"Ev1"`) || m["platform"] != "slack" {
			t.Errorf("line %d lacks the context's ids: %s", i, l)
		}
	}
	if strings.Contains(lines[2], "request_id") {
		t.Errorf("a line without the context: %s", lines[2])
	}
	if With(context.Background()) != context.Background() {
		t.Error("With of nothing made a new context")
	}
}
