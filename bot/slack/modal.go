package slack

import (
	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
)

// Modal limits (api.slack.com/reference/surfaces/views, block-kit/blocks#input).
const (
	maxModalTitle  = 24
	maxModalBlocks = 100
	maxLabel       = 2000
	maxPlaceholder = 150
	maxInputValue  = 3000
)

// valueAction is the action id of every input: the block id (the field's
// key) already tells them apart.
const valueAction = "v"

// Modal renders a form as a modal view: one input block per field, its
// block id the field's key (FormValues reads them back). Texts are plain,
// so nothing in them can mention anyone.
func Modal(f bot.Form, cancel string) slack.ModalViewRequest {
	plain := func(s string, n int) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, cut(s, n), false, false)
	}
	v := slack.ModalViewRequest{
		Type:       slack.VTModal,
		Title:      plain(f.Title, maxModalTitle),
		Submit:     plain(f.Submit, maxModalTitle),
		Close:      plain(cancel, maxModalTitle),
		CallbackID: "form-" + f.ID,
	}
	if f.Intro != "" {
		v.Blocks.BlockSet = append(v.Blocks.BlockSet,
			slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, cut(Escape(f.Intro), maxSectionText), false, false)))
	}
	for _, fd := range f.Fields {
		if len(v.Blocks.BlockSet) == maxModalBlocks {
			break
		}
		var el slack.BlockElement
		switch fd.Kind {
		case bot.FieldSelect:
			var opts []*slack.OptionBlockObject
			var initial *slack.OptionBlockObject
			for _, o := range fd.Options[:min(len(fd.Options), maxOptions)] {
				ob := slack.NewOptionBlockObject(cut(o.Value, maxOptionVal), plain(o.Label, maxButtonText), nil)
				opts = append(opts, ob)
				if o.Value == fd.Value {
					initial = ob
				}
			}
			sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, valueAction, opts...)
			sel.InitialOption = initial
			el = sel
		case bot.FieldDate:
			dp := slack.NewDatePickerBlockElement(valueAction)
			dp.InitialDate = fd.Value
			el = dp
		default:
			in := slack.NewPlainTextInputBlockElement(nil, valueAction)
			in.Multiline = fd.Kind == bot.FieldLongText
			in.InitialValue = cut(fd.Value, maxInputValue)
			in.MaxLength = maxInputValue
			if fd.Hint != "" {
				in.Placeholder = plain(fd.Hint, maxPlaceholder)
			}
			el = in
		}
		ib := slack.NewInputBlock(fd.Key, plain(fd.Label, maxLabel), nil, el)
		ib.Optional = fd.Optional
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, ib)
	}
	return v
}
