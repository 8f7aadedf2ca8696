package lark

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
)

// Lark sends at most one message per uuid within an hour: "持有相同 uuid
// 的请求，在 1 小时内至多成功发送一条消息" (the body field uuid of
// im.v1.message.create and reply, at most 50 characters;
// open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/message/create,
// quoted in the SDK's CreateMessageReqBody.Uuid). A message does not carry
// its uuid and no API looks one up, so past the hour a resend cannot be
// told from a first send.
const (
	uuidWindow = time.Hour
	// resendSafe is how long after a message was written a resend surely
	// falls within the hour of its first send, which came later: the ten
	// minutes cover clock skew and the resend's own way to Lark.
	resendSafe = uuidWindow - 10*time.Minute
)

// errRecipient marks an outbox channel that is neither a chat nor a
// person: retrying will not help.
var errRecipient = errors.New("not a Lark chat id (oc_…) or open_id (ou_…)")

// Deliverer returns the adapter's outbox.Deliverer (scheduled messages:
// reminders, digests).
func (a *Adapter) Deliverer() outbox.Deliverer {
	return &deliverer{a: a, now: a.cfg.Now, log: a.log}
}

// deliverer posts outbox messages as cards, each under a uuid made from
// the message's idempotency key and the card's page, so that a resend
// within Lark's hour shows nothing twice; a message's image goes first,
// as an image message under a uuid of its own (see sendImage).
type deliverer struct {
	a   *Adapter
	now func() time.Time // the clock the store's CreatedAt is read with
	log *slog.Logger
}

// Deliver posts r to m.Channel, a chat ("oc_…") or a person ("ou_…", in
// the bot's private chat with them): its image, then card by card. After
// a failure the messages already sent are sent again under their uuids,
// which Lark answers with the messages it has, so the reply is completed,
// not repeated.
func (d *deliverer) Deliver(ctx context.Context, m outbox.Message, r bot.Reply) error {
	idType, err := receiveIDType(m.Channel)
	if err != nil {
		return err
	}
	if r.Image != nil {
		if err := d.sendImage(ctx, idType, m, r.Image); err != nil {
			return err
		}
	}
	if len(r.Blocks) == 0 {
		return nil
	}
	for i, card := range Cards(r, d.a.moreFormat(r.Lang), maxCards) {
		if _, err := d.a.api.send(ctx, idType, m.Channel, card, outboxUUID(m.IdemKey, i)); err != nil {
			return fmt.Errorf("card %d: %w", i+1, err)
		}
	}
	return nil
}

// Delivered answers false: a message in doubt is sent again under the
// same uuids, which is harmless within Lark's hour. Past it a duplicate is
// possible, and is logged: Lark has no lookup by uuid, and reading a
// chat's history for the card would need another scope and could not
// reach a person's private chat by their open_id.
func (d *deliverer) Delivered(ctx context.Context, m outbox.Message) (bool, error) {
	if age := d.now().Sub(m.CreatedAt); age >= resendSafe {
		d.log.WarnContext(ctx, "lark outbox: resending a message that may have been delivered; Lark de-duplicates only within an hour, so it may show twice",
			"key", m.IdemKey, "channel", m.Channel, "age", age.Round(time.Second))
	}
	return false, nil
}

// Classify reads a failed delivery as classify does; a channel that is no
// Lark recipient, and an image Lark cannot take, are given up.
func (d *deliverer) Classify(err error) (retry bool, after time.Duration) {
	if errors.Is(err, errRecipient) || errors.Is(err, errImage) {
		return false, 0
	}
	return classify(err)
}

// receiveIDType is the receive_id_type for an outbox channel.
func receiveIDType(channel string) (string, error) {
	switch {
	case strings.HasPrefix(channel, "oc_"):
		return larkim.CreateMessageV1ReceiveIDTypeChatId, nil
	case strings.HasPrefix(channel, "ou_"):
		return larkim.CreateMessageV1ReceiveIDTypeOpenId, nil
	}
	return "", fmt.Errorf("lark send %q: %w", channel, errRecipient)
}

// outboxUUID is the uuid of the page-th card of an outbox message: at most
// 50 characters, and apart from the uuids of replies to events.
func outboxUUID(key string, page int) string { return replyUUID("outbox/"+key, page) }
