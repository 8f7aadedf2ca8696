package slack

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/dealcoach/dealcoach/bot/adapter/work"
)

// RunSocket serves Slack over Socket Mode until ctx ends: no public URL
// is needed. Every envelope is acknowledged once its event is recorded
// (an unacknowledged one is sent again); the connection is re-opened
// whenever it drops, with a growing pause when opening it fails.
func (a *Adapter) RunSocket(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slack: Socket Mode needs SLACK_APP_TOKEN")
	}
	sm := socketmode.New(a.api, socketmode.OptionReadLimit(work.MaxBody))
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-sm.Events:
				if !ok {
					return
				}
				a.socketEvent(ctx, sm, evt)
			}
		}
	}()
	pause := time.Second
	for {
		start := time.Now()
		err := sm.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > time.Minute {
			pause = time.Second
		}
		a.log.Warn("slack socket mode stopped; reconnecting", "err", err, "in", pause)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Minute)
	}
}

// socketEvent handles one envelope off the connection's loop: a slash
// command may take its time before its answer is the ack.
func (a *Adapter) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
	case socketmode.EventTypeConnected:
		a.log.Info("slack socket mode connected")
		return
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack socket mode: SLACK_APP_TOKEN refused")
		return
	default:
		return
	}
	if evt.Request == nil {
		return
	}
	req := *evt.Request
	go func() {
		var payload any
		var err error
		switch evt.Type {
		case socketmode.EventTypeEventsAPI:
			err = a.event(ctx, req.Payload)
		case socketmode.EventTypeSlashCommand:
			var sc slack.SlashCommand
			if err = json.Unmarshal(req.Payload, &sc); err == nil {
				a.command(ctx, sc, func(msg *slack.Msg) { a.ack(ctx, sm, req, msg) })
				return // acknowledged by command
			}
		case socketmode.EventTypeInteractive:
			var ic slack.InteractionCallback
			if err = json.Unmarshal(req.Payload, &ic); err == nil {
				var resp *slack.ViewSubmissionResponse
				if resp, err = a.interaction(ctx, ic, req.Payload); resp != nil {
					payload = resp
				}
			}
		}
		if err != nil {
			// Not acknowledged: Slack sends it again.
			a.log.ErrorContext(ctx, "slack socket event", "type", evt.Type, "err", err)
			return
		}
		a.ack(ctx, sm, req, payload)
	}()
}

// ack acknowledges an envelope, with the answer it may carry (nil: none;
// a typed nil must not become a JSON null).
func (a *Adapter) ack(ctx context.Context, sm *socketmode.Client, req socketmode.Request, payload any) {
	var err error
	switch p := payload.(type) {
	case nil:
		err = sm.AckCtx(ctx, req.EnvelopeID, nil)
	case *slack.Msg:
		if p == nil {
			err = sm.AckCtx(ctx, req.EnvelopeID, nil)
		} else {
			err = sm.AckCtx(ctx, req.EnvelopeID, p)
		}
	default:
		err = sm.AckCtx(ctx, req.EnvelopeID, payload)
	}
	if err != nil {
		a.log.ErrorContext(ctx, "slack socket ack", "err", err)
	}
}
