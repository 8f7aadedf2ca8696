package lark

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/dealcoach/dealcoach/bot"
)

// onCardAction answers a card's button, menu or form, within Lark's three
// seconds: the core runs now, and the answer is a toast and the card
// redrawn (or replaced by a form). A change and the record that its
// event was processed commit together, so a re-delivered action applies
// once. The full reply (with any question the core asks next) is also
// posted under the card, where the conversation goes on.
func (a *Adapter) onCardAction(ctx context.Context, ev *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
	if ev == nil || ev.Event == nil || ev.Event.Action == nil || ev.Event.Operator == nil {
		return &callback.CardActionTriggerResponse{}, nil
	}
	act, err := ReadAction(ev.Event.Action.Value, ev.Event.Action.Option, ev.Event.Action.FormValue)
	if err != nil {
		a.log.WarnContext(ctx, "unreadable lark card action", "err", err)
		return &callback.CardActionTriggerResponse{}, nil
	}
	var chat, cardMsg, tenant, eventID string
	if c := ev.Event.Context; c != nil {
		chat, cardMsg = c.OpenChatID, c.OpenMessageID
	}
	if ev.EventV2Base != nil && ev.EventV2Base.Header != nil {
		tenant, eventID = ev.EventV2Base.Header.TenantKey, ev.EventV2Base.Header.EventID
	}
	user := ev.Event.Operator.OpenID
	if op := deref(ev.Event.Operator.TenantKey); op != "" && tenant != "" && op != tenant && !a.allowed(op) {
		// A card in an external chat, pressed by a person of another
		// tenant: nothing runs, and the toast names nothing internal.
		a.log.InfoContext(ctx, "card action from another tenant refused", "tenant", op)
		return toast("info", a.refusal("").PlainText()), nil
	}
	key := "act:" + eventID
	if eventID == "" {
		key = "act:" + cardMsg + ":" + user + ":" + act.Command
	}
	p := a.kit.People.Get(ctx, user)
	// A card's conversation is the thread its callbacks name (a card sent
	// in a group's thread), else the chat's: the callback itself does not
	// tell which thread the card sits in.
	m := bot.Message{Platform: platform, Team: tenant, Channel: chat, Thread: act.Thread, UserID: user,
		UserName: p.Name, Locale: p.Locale, TZ: p.TZ, Time: a.cfg.Now()}
	// The action's event is claimed by what it changes; opening a form
	// and redrawing the card (afterAction) are not its effect.
	claimed := m
	claimed.EventID = key
	switch {
	case act.Submit:
		r, errs, _ := a.cfg.Bot.Submit(ctx, claimed, act.Form, act.DealID, act.Values) // an error is logged by the core
		if r.Duplicate {
			return &callback.CardActionTriggerResponse{}, nil
		}
		if len(errs) > 0 {
			var lines []string
			for _, e := range errs {
				lines = append(lines, e)
			}
			slices.Sort(lines)
			return toast("error", strings.Join(lines, " ")), nil
		}
		return a.afterAction(ctx, key, m, chat, cardMsg, act.DealID, r), nil
	case act.Form != "":
		f, refusal, _ := a.cfg.Bot.Form(ctx, m, act.Form, act.DealID) // an error is logged by the core and told in refusal
		if f.ID == "" {
			return toast("error", refusal.PlainText()), nil
		}
		resp := &callback.CardActionTriggerResponse{Card: &callback.Card{Type: "raw",
			Data: inConversation(FormCard(f, a.cfg.Catalog.Text(a.lang(f.Lang), "form.cancel", nil)), act.Thread)}}
		return resp, nil
	case act.Command != "":
		m.Text, claimed.Text = act.Command, act.Command
		r, _ := a.cfg.Bot.Handle(ctx, claimed) // an error is logged by the core and told in r
		if r.Duplicate {
			return &callback.CardActionTriggerResponse{}, nil
		}
		if r.Ephemeral {
			return toast("error", r.PlainText()), nil
		}
		return a.afterAction(ctx, key, m, chat, cardMsg, r.DealID, r), nil
	}
	return &callback.CardActionTriggerResponse{}, nil
}

// afterAction posts the reply under the card and answers with the card
// redrawn as the deal now stands, and a toast of the reply's first line.
func (a *Adapter) afterAction(ctx context.Context, key string, m bot.Message, chat, cardMsg string, dealID int64, r bot.Reply) *callback.CardActionTriggerResponse {
	resp := toast("success", firstLine(r))
	if dealID != 0 {
		m.Text = fmt.Sprintf("/deal #%d", dealID)
		if card, err := a.cfg.Bot.Handle(ctx, m); err == nil && !card.Ephemeral && len(card.Blocks) > 0 {
			resp.Card = &callback.Card{Type: "raw", Data: inConversation(Card(card, a.moreFormat(card.Lang)), m.Thread)}
		}
	}
	if cardMsg != "" {
		a.reply(key, chat, cardMsg, m.Thread, true, r)
	}
	return resp
}

func toast(kind, text string) *callback.CardActionTriggerResponse {
	return &callback.CardActionTriggerResponse{Toast: &callback.Toast{Type: kind, Content: bot.Clip(text, 200)}}
}

// firstLine is a reply's first line, for a toast.
func firstLine(r bot.Reply) string {
	s, _, _ := strings.Cut(r.PlainText(), "\n")
	return s
}
