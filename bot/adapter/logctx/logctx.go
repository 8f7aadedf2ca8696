// Package logctx carries log attributes in a context, so that every line
// logged while handling one event or request says which: the event's id
// set where the worker takes it, the request's id where the server takes
// it, and the lines logged deep in the core with that context carry both
// without every caller repeating them.
package logctx

import (
	"context"
	"log/slog"
)

type key struct{}

// With returns ctx carrying args (slog's key-value pairs or Attrs) for
// every line logged with it, after those ctx already carries.
func With(ctx context.Context, args ...any) context.Context {
	if len(args) == 0 {
		return ctx
	}
	prev, _ := ctx.Value(key{}).([]slog.Attr)
	r := slog.Record{}
	r.Add(args...)
	attrs := make([]slog.Attr, 0, len(prev)+r.NumAttrs())
	attrs = append(attrs, prev...)
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
	return context.WithValue(ctx, key{}, attrs)
}

// Attrs are the attributes ctx carries.
func Attrs(ctx context.Context) []slog.Attr {
	if ctx == nil {
		return nil
	}
	a, _ := ctx.Value(key{}).([]slog.Attr)
	return a
}

// Handler wraps h so that a record logged with a context (InfoContext…)
// gets the attributes the context carries.
func Handler(h slog.Handler) slog.Handler { return handler{h} }

type handler struct{ next slog.Handler }

func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	if attrs := Attrs(ctx); len(attrs) > 0 {
		r = r.Clone()
		r.AddAttrs(attrs...)
	}
	return h.next.Handle(ctx, r)
}

func (h handler) WithAttrs(attrs []slog.Attr) slog.Handler { return handler{h.next.WithAttrs(attrs)} }
func (h handler) WithGroup(name string) slog.Handler       { return handler{h.next.WithGroup(name)} }
