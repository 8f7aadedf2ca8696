package lark

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
)

// maxImageBytes is the largest image im.v1.image.create takes: "上传的图片
// 大小不能超过 10 MB，也不能上传大小为 0 的图片" (the SDK's
// CreateImageReqBody.Image).
const maxImageBytes = 10 << 20

// errImage marks an image Lark cannot take (empty, or over 10 MB):
// retrying will not help.
var errImage = errors.New("image cannot be uploaded")

// sendImage uploads img and sends it to m.Channel as an image message,
// under a uuid made from m's key. A retry uploads it again, which only
// makes another image_key, and Lark, seeing the uuid within its hour,
// answers with the message it sent and shows nothing new.
//
// An image message rather than an img element in a card: Lark shows it
// as a picture of its own (full width, opened large with a tap), and the
// cards after it are paged and sized as any reply's, with no room to keep
// for the picture. Lark's image messages have no caption or alt text:
// the reply's blocks, sent after it, say what it shows.
func (d *deliverer) sendImage(ctx context.Context, idType string, m outbox.Message, img *bot.Image) error {
	if err := checkImage(img); err != nil {
		return fmt.Errorf("lark image of %s: %w", m.IdemKey, err)
	}
	key, err := d.a.api.uploadImage(ctx, img.PNG, img.Name)
	if err != nil {
		return err
	}
	if _, err := d.a.api.sendImage(ctx, idType, m.Channel, key, imageUUID(m.IdemKey)); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	return nil
}

// checkImage refuses an image no retry can upload.
func checkImage(img *bot.Image) error {
	switch {
	case len(img.PNG) == 0:
		return fmt.Errorf("%w: it is empty", errImage)
	case len(img.PNG) > maxImageBytes:
		return fmt.Errorf("%w: %d bytes, over %d", errImage, len(img.PNG), maxImageBytes)
	}
	return nil
}

// imageUUID is the uuid of an outbox message's image message: at most 50
// characters, and apart from its cards' (outboxUUID).
func imageUUID(key string) string { return replyUUID("outbox-image/"+key, 0) }

// uploadImage uploads png for use in messages (image_type message, a
// multipart form) and returns its image_key.
func (c *api) uploadImage(ctx context.Context, png []byte, name string) (string, error) {
	body := larkim.NewCreateImageReqBodyBuilder().
		ImageType(larkim.CreateImageImageTypeMessage).
		Image(namedReader{bytes.NewReader(png), name}).
		Build()
	resp, err := c.images.Create(ctx, larkim.NewCreateImageReqBuilder().Body(body).Build())
	if err != nil {
		return "", fmt.Errorf("lark upload image %s: %w", name, sdkError(err))
	}
	if err := failure(resp.ApiResp, resp.CodeError); err != nil {
		return "", fmt.Errorf("lark upload image %s: %w", name, err)
	}
	var key string
	if resp.Data != nil {
		key = larkcore.StringValue(resp.Data.ImageKey)
	}
	if key == "" {
		return "", fmt.Errorf("lark upload image %s: no image_key in the answer", name)
	}
	return key, nil
}

// sendImage posts an image message to to, as send posts a card; Lark
// sends at most one message per uuid within an hour.
func (c *api) sendImage(ctx context.Context, idType, to, imageKey, uuid string) (string, error) {
	content, err := json.Marshal(map[string]string{"image_key": imageKey})
	if err != nil {
		return "", fmt.Errorf("lark send image %s: %w", to, err)
	}
	body := larkim.NewCreateMessageReqBodyBuilder().
		ReceiveId(to).
		MsgType(larkim.MsgTypeImage).
		Content(string(content))
	if uuid != "" {
		body = body.Uuid(uuid)
	}
	req := larkim.NewCreateMessageReqBuilder().ReceiveIdType(idType).Body(body.Build()).Build()
	resp, err := c.messages.Create(ctx, req)
	if err != nil {
		return "", fmt.Errorf("lark send image %s: %w", to, sdkError(err))
	}
	if err := failure(resp.ApiResp, resp.CodeError); err != nil {
		return "", fmt.Errorf("lark send image %s: %w", to, err)
	}
	if resp.Data == nil {
		return "", nil
	}
	return larkcore.StringValue(resp.Data.MessageId), nil
}

// namedReader gives the SDK's multipart form the file's name (it asks a
// reader for Name(), else writes "unknown-file").
type namedReader struct {
	*bytes.Reader
	name string
}

func (r namedReader) Name() string { return r.name }
