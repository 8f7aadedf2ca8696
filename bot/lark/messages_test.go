package lark

import (
	"testing"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
)

func TestMessageText(t *testing.T) {
	s := func(v string) *string { return &v }
	bot := &larkim.MentionEvent{Key: s("@_user_1"), Name: s("dealcoach"), MentionedType: s("bot")}
	li := &larkim.MentionEvent{Key: s("@_user_2"), Name: s("李总"), MentionedType: s("user"), Id: &larkim.UserId{OpenId: s("ou_li")}}
	odd := &larkim.MentionEvent{Key: s("@_user_3"), Name: s("a|b>c"), MentionedType: s("user"), Id: &larkim.UserId{OpenId: s("ou_odd")}}
	for _, c := range []struct {
		name, kind, content string
		mentions            []*larkim.MentionEvent
		want                string
	}{
		{"text", "text", `{"text":"经信银行 推进到立项"}`, nil, "经信银行 推进到立项"},
		{"bot mention dropped", "text", `{"text":"@_user_1 经信银行 赢单了"}`, []*larkim.MentionEvent{bot}, "经信银行 赢单了"},
		{"other mention by name", "text", `{"text":"@_user_1 #12 下一步 约 @_user_2 周五"}`, []*larkim.MentionEvent{bot, li}, "#12 下一步 约 @李总 周五"},
		{"slash command mentions by id", "text", `{"text":"@_user_1 /deal team add @_user_2 @_user_3"}`, []*larkim.MentionEvent{bot, li, odd}, "/deal team add <@ou_li|李总> <@ou_odd|a b c>"},
		{"unknown mention is the bot's", "text", `{"text":"@_user_9 list"}`, nil, "list"},
		{"post: the title is left out, the bot's at dropped", "post", `{"title":"周报","content":[[{"tag":"at","user_id":"@_user_1","user_name":"dealcoach"},{"tag":"text","text":" Acme moved to shortlist"}],[{"tag":"a","text":"link","href":"https://x"}]]}`, []*larkim.MentionEvent{bot}, "Acme moved to shortlist\nlink"},
		{"post: at without user_name, person kept", "post", `{"title":"","content":[[{"tag":"at","user_id":"@_user_1"},{"tag":"text","text":"#12 下一步 约 "},{"tag":"at","user_id":"@_user_2"},{"tag":"emotion","emoji_type":"SMILE"}]]}`, []*larkim.MentionEvent{bot, li}, "#12 下一步 约 @李总"},
		{"post: title alone", "post", `{"title":"list","content":[[{"tag":"at","user_id":"@_user_1","user_name":"dealcoach"}]]}`, []*larkim.MentionEvent{bot}, "list"},
		{"post: code block", "post", `{"title":"","content":[[{"tag":"text","text":"/deal new Acme 100k"}],[{"tag":"code_block","language":"GO","text":"x := 1\n"}]]}`, nil, "/deal new Acme 100k\nx := 1"},
		{"post: wrapped in post and en_us", "post", `{"post":{"en_us":{"title":"t","content":[[{"tag":"text","text":"list"}]]}}}`, nil, "list"},
		{"post by language", "post", `{"zh_cn":{"title":"","content":[[{"tag":"text","text":"新商机 华东电力 80万"}]]}}`, nil, "新商机 华东电力 80万"},
		{"image", "image", `{"image_key":"img_x"}`, nil, ""},
		{"malformed", "text", `{"text":`, nil, ""},
	} {
		if got := messageText(c.kind, c.content, readMentions(c.mentions, "")); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestGroupMessagesOnlyWhenTheBotIsMentioned(t *testing.T) {
	s := func(v string) *string { return &v }
	bot := &larkim.MentionEvent{Key: s("@_user_1"), MentionedType: s("bot")}
	person := &larkim.MentionEvent{Key: s("@_user_2"), MentionedType: s("user")}
	untyped := &larkim.MentionEvent{Key: s("@_user_1")}
	for _, c := range []struct {
		name string
		ms   []*larkim.MentionEvent
		want bool
	}{
		{"none", nil, false},
		{"the bot", []*larkim.MentionEvent{bot}, true},
		{"a person and the bot", []*larkim.MentionEvent{person, bot}, true},
		{"only a person", []*larkim.MentionEvent{person}, false},
		{"untyped (older events)", []*larkim.MentionEvent{untyped}, true},
	} {
		if got := readMentions(c.ms, "").hasBot(); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// The bot's mention: by its open_id when known, else by mentioned_type,
// else (no mention typed, as in the documented event) the first one.
func TestWhichMentionIsTheBot(t *testing.T) {
	s := func(v string) *string { return &v }
	m := func(key, id, typ string) *larkim.MentionEvent {
		e := &larkim.MentionEvent{Key: s(key), Name: s("n" + id), Id: &larkim.UserId{OpenId: s(id)}}
		if typ != "" {
			e.MentionedType = s(typ)
		}
		return e
	}
	for _, c := range []struct {
		name  string
		list  []*larkim.MentionEvent
		botID string
		text  string
		want  string
	}{
		{"untyped, bot known", []*larkim.MentionEvent{m("@_user_1", "ou_li", ""), m("@_user_2", "ou_bot", "")}, "ou_bot",
			`{"text":"@_user_1 @_user_2 #1 won"}`, "@nou_li #1 won"},
		{"untyped, bot unknown: the first", []*larkim.MentionEvent{m("@_user_2", "ou_li", ""), m("@_user_1", "ou_bot", "")}, "",
			`{"text":"@_user_1 /deal team add @_user_2"}`, "/deal team add <@ou_li|nou_li>"},
		{"typed", []*larkim.MentionEvent{m("@_user_1", "ou_li", "user"), m("@_user_2", "ou_x", "bot")}, "",
			`{"text":"@_user_2 ask @_user_1"}`, "ask @nou_li"},
		{"sending shape: at tags", nil, "ou_bot",
			`{"text":"<at user_id=\"ou_bot\">dealcoach</at> /deal team add <at user_id=\"ou_li\">李总</at>"}`, "/deal team add <@ou_li|李总>"},
	} {
		if got := messageTextFor("text", c.text, readMentions(c.list, c.botID), c.botID); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
