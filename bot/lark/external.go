package lark

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dealcoach/dealcoach/bot"
)

// People of other organisations (Lark external chats, whose senders are
// of another tenant) get one polite refusal naming nothing internal: no
// deal, no colleague, no number. A workspace may let given tenants in
// (Config.External, DEALCOACH_EXTERNAL).

// allowed tells whether people of tenant may use the bot although it is
// not the app's.
func (a *Adapter) allowed(tenant string) bool {
	return slices.Contains(a.cfg.External, "*") || (tenant != "" && slices.Contains(a.cfg.External, tenant))
}

// refusal is the answer to a person of another organisation.
func (a *Adapter) refusal(text string) bot.Reply {
	return bot.ExternalRefusal(a.cfg.Catalog, text, a.cfg.DefaultLang)
}

// botIdentity is the bot's open_id, from bot/v3/info, asked once (again
// a minute after a failure). Until it is known, the bot's mentions are
// told by their mentioned_type, or as the first mention (see
// readMentions). Once known, reading it takes no lock.
type botIdentity struct {
	openID atomic.Pointer[string]
	mu     sync.Mutex // held while asking
	next   time.Time  // when to ask again after a failure; under mu
}

// botOpenID returns the bot's open_id, "" while unknown. The first call
// asks Lark (at most botInfoWait, on the acknowledgement's path); calls
// meanwhile do without.
func (a *Adapter) botOpenID() string {
	b := &a.botID
	if id := b.openID.Load(); id != nil {
		return *id
	}
	if !b.mu.TryLock() {
		return ""
	}
	defer b.mu.Unlock()
	if id := b.openID.Load(); id != nil {
		return *id
	}
	if time.Now().Before(b.next) {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), botInfoWait)
	defer cancel()
	id, err := a.api.botInfo(ctx)
	if err != nil {
		a.log.Warn("lark bot info: the bot's mentions are told by their type until it answers", "err", err)
		b.next = time.Now().Add(time.Minute)
		return ""
	}
	b.openID.Store(&id)
	return id
}

// botInfoWait bounds the bot info call: Lark wants an answer within three
// seconds.
const botInfoWait = 1500 * time.Millisecond
