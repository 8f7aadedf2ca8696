package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
)

// serveInteraction answers buttons, menus and modal submissions.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	raw := []byte(form.Get("payload"))
	var ic slack.InteractionCallback
	if err := json.Unmarshal(raw, &ic); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	resp, err := a.interaction(r.Context(), ic, raw)
	if err != nil {
		a.log.ErrorContext(r.Context(), "slack interaction", "err", err)
		http.Error(w, "cannot record the interaction", http.StatusInternalServerError)
		return
	}
	work.WriteJSON(w, answer(resp))
}

// interaction handles one interaction payload; what it returns is the
// acknowledgement's body (a modal's field errors), nil for none.
func (a *Adapter) interaction(ctx context.Context, ic slack.InteractionCallback, raw []byte) (*slack.ViewSubmissionResponse, error) {
	if t := ic.User.TeamID; t != "" && ic.Team.ID != "" && t != ic.Team.ID && !a.allowed(t) && ic.Channel.ID != "" {
		// A button of a card in a Slack Connect channel, pressed by a
		// person of another organisation: refused, nothing runs.
		a.log.InfoContext(ctx, "interaction from another organisation refused", "team", t)
		a.reply(ic.Channel.ID, "", ic.User.ID, a.refusal(""))
		return nil, nil
	}
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		if len(ic.ActionCallback.BlockActions) == 0 {
			return nil, nil
		}
		act := ic.ActionCallback.BlockActions[0]
		if rest, ok := strings.CutPrefix(act.ActionID, actionForm); ok {
			// The trigger id is good for three seconds: open the modal now.
			form, _, _ := strings.Cut(rest, ":")
			a.openForm(ctx, ic, form, act.Value)
			return nil, nil
		}
		key := "act:" + cmpOr(ic.TriggerID, ic.ActionTs+":"+ic.User.ID)
		t, err := a.actionTask(key, raw)
		if err != nil || t.Run == nil {
			return nil, err
		}
		fresh, err := a.kit.Inbox.Record(ctx, key, "action", raw)
		if err != nil || !fresh {
			return nil, err
		}
		a.kit.Pool.Add(t, work.AckWait)
		return nil, nil
	case slack.InteractionTypeViewSubmission:
		return a.submit(ctx, ic, raw)
	}
	return nil, nil
}

// actionTask reads a button or menu choice: the command it carries runs
// as if the person had typed it; the reply goes where the card is, and
// the card is redrawn with the deal as it now stands.
func (a *Adapter) actionTask(key string, raw []byte) (work.Task, error) {
	var ic slack.InteractionCallback
	if err := json.Unmarshal(raw, &ic); err != nil {
		return work.Task{}, err
	}
	if len(ic.ActionCallback.BlockActions) == 0 {
		return work.Task{}, nil
	}
	act := ic.ActionCallback.BlockActions[0]
	text := act.Value
	if strings.HasPrefix(act.ActionID, actionMenu) {
		text = act.SelectedOption.Value
	}
	if !strings.HasPrefix(act.ActionID, actionCommand) && !strings.HasPrefix(act.ActionID, actionMenu) || text == "" {
		return work.Task{}, nil
	}
	channel, user := ic.Channel.ID, ic.User.ID
	if channel == "" {
		channel = ic.Container.ChannelID
	}
	thread := cardThread(channel, ic.Message.ThreadTimestamp, cmpOr(ic.Message.Timestamp, ic.Container.MessageTs))
	return work.Task{Key: key, Order: channel + "/" + user, Run: func(ctx context.Context) {
		m := a.message(ctx, ic.Team.ID, channel, thread, user, text)
		r := a.kit.Inbox.Handle(ctx, key, m)
		a.reply(channel, thread, user, r)
		if r.DealID != 0 && ic.ResponseURL != "" && !r.Ephemeral {
			a.redrawCard(ctx, m, r.DealID, channel, ic.ResponseURL)
		}
	}}, nil
}

// cardThread is where the answer to a card's button goes: in a DM, where
// the card is; in a channel, the card's thread (started on the card when
// it has none), so a channel is not flooded.
func cardThread(channel, threadTS, ts string) string {
	if threadTS != "" || isDM(channel) {
		return threadTS
	}
	return ts
}

// redrawCard replaces the card a button was pressed on with the deal as
// it now stands, so its buttons never act on a stale picture.
func (a *Adapter) redrawCard(ctx context.Context, m bot.Message, dealID int64, channel, responseURL string) {
	m.Text = fmt.Sprintf("/deal #%d", dealID)
	card, err := a.cfg.Bot.Handle(ctx, m)
	if err != nil || card.Ephemeral || len(card.Blocks) == 0 {
		return
	}
	blocks := slack.Blocks{BlockSet: Blocks(card, a.moreFormat(card.Lang))}
	wm := &slack.WebhookMessage{ReplaceOriginal: true, Text: fallback(card), Blocks: &blocks}
	if err := a.kit.Out.Send(channel, func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, responseURL, a.httpClient(), wm)
	}); err != nil {
		a.log.Error("queue slack card update", "channel", channel, "err", err)
	}
}

// formMeta rides along in a modal, to know where to answer on submit.
type formMeta struct {
	Form    string `json:"f"`
	Deal    int64  `json:"d"`
	Team    string `json:"t,omitempty"`
	Channel string `json:"c"`
	Thread  string `json:"th,omitempty"`
}

// openForm opens a form as a modal, or says privately why it cannot.
func (a *Adapter) openForm(ctx context.Context, ic slack.InteractionCallback, form, deal string) {
	id, err := strconv.ParseInt(deal, 10, 64)
	if err != nil {
		return
	}
	channel := cmpOr(ic.Channel.ID, ic.Container.ChannelID)
	thread := cardThread(channel, ic.Message.ThreadTimestamp, cmpOr(ic.Message.Timestamp, ic.Container.MessageTs))
	m := a.message(ctx, ic.Team.ID, channel, thread, ic.User.ID, "")
	f, refusal, _ := a.cfg.Bot.Form(ctx, m, form, id) // an error is logged by the core and told in refusal
	if f.ID == "" {
		refusal.Ephemeral = true
		a.reply(channel, thread, ic.User.ID, refusal)
		return
	}
	meta, _ := json.Marshal(formMeta{Form: f.ID, Deal: f.DealID, Team: ic.Team.ID, Channel: channel, Thread: thread})
	view := Modal(f, a.cfg.Catalog.Text(a.lang(f.Lang), "form.cancel", nil))
	view.PrivateMetadata = string(meta)
	if _, err := a.api.OpenViewContext(ctx, ic.TriggerID, view); err != nil {
		a.log.ErrorContext(ctx, "slack views.open", "form", form, "deal", id, "err", err)
	}
}

// submit applies a modal: inline, because field errors must be in the
// acknowledgement. The submission is recorded first like every event.
func (a *Adapter) submit(ctx context.Context, ic slack.InteractionCallback, raw []byte) (*slack.ViewSubmissionResponse, error) {
	var meta formMeta
	if err := json.Unmarshal([]byte(ic.View.PrivateMetadata), &meta); err != nil || meta.Form == "" {
		return nil, nil // not one of ours
	}
	key := "view:" + ic.View.ID + ":" + ic.View.Hash
	fresh, err := a.kit.Inbox.Record(ctx, key, "view", raw)
	if err != nil || !fresh {
		return nil, err
	}
	r, errs := a.runSubmit(ctx, key, ic, meta)
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	a.reply(meta.Channel, meta.Thread, ic.User.ID, r)
	return nil, nil
}

func (a *Adapter) runSubmit(ctx context.Context, key string, ic slack.InteractionCallback, meta formMeta) (bot.Reply, map[string]string) {
	m := a.message(ctx, cmpOr(meta.Team, ic.Team.ID), meta.Channel, meta.Thread, ic.User.ID, "")
	m.EventID = key
	r, errs, _ := a.cfg.Bot.Submit(ctx, m, meta.Form, meta.Deal, FormValues(ic.View.State)) // logged by the core
	if !r.Claimed && !r.Duplicate {
		a.kit.Inbox.Done(ctx, key)
	}
	return r, errs
}

// viewTask replays a submission recorded before a crash: field errors can
// no longer be shown on the modal, so they are sent privately.
func (a *Adapter) viewTask(key string, raw []byte) (work.Task, error) {
	var ic slack.InteractionCallback
	if err := json.Unmarshal(raw, &ic); err != nil {
		return work.Task{}, err
	}
	var meta formMeta
	if err := json.Unmarshal([]byte(ic.View.PrivateMetadata), &meta); err != nil || meta.Form == "" {
		return work.Task{}, nil
	}
	return work.Task{Key: key, Order: meta.Channel + "/" + ic.User.ID, Run: func(ctx context.Context) {
		r, errs := a.runSubmit(ctx, key, ic, meta)
		if len(errs) > 0 {
			var lines []string
			for _, e := range errs {
				lines = append(lines, e)
			}
			slices.Sort(lines)
			r = bot.Reply{Ephemeral: true, Blocks: []bot.Block{{Kind: bot.ListBlock, Items: lines}}}
		}
		a.reply(meta.Channel, meta.Thread, ic.User.ID, r)
	}}, nil
}

// FormValues reads a modal's state: one input block per field, its
// block id the field's key.
func FormValues(st *slack.ViewState) map[string]string {
	out := map[string]string{}
	if st == nil {
		return out
	}
	for key, acts := range st.Values {
		for _, v := range acts {
			switch {
			case v.SelectedOption.Value != "":
				out[key] = v.SelectedOption.Value
			case v.SelectedDate != "":
				out[key] = v.SelectedDate
			default:
				out[key] = v.Value
			}
		}
	}
	return out
}
