package parse

import "testing"

func TestClassifyAnswer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want AnswerKind
	}{
		// skip this question
		{"skip", AnswerSkip},
		{"Skip!", AnswerSkip},
		{"pass", AnswerSkip},
		{"next", AnswerSkip},
		{"Next question.", AnswerSkip},
		{"skip please", AnswerSkip},
		{"跳过", AnswerSkip},
		{"跳过吧", AnswerSkip},
		{"下一个", AnswerSkip},
		{"下一题！", AnswerSkip},
		// ask again later
		{"later", AnswerLater},
		{"ask me later", AnswerLater},
		{"Not now", AnswerLater},
		{"稍后", AnswerLater},
		{"回头再说", AnswerLater},
		{"以后再说吧", AnswerLater},
		{"晚点", AnswerLater},
		{"等会儿", AnswerLater},
		// end the coaching
		{"done", AnswerDone},
		{"STOP", AnswerDone},
		{"that's all", AnswerDone},
		{"That’s all!", AnswerDone},
		{"enough", AnswerDone},
		{"完成", AnswerDone},
		{"结束", AnswerDone},
		{"先这样", AnswerDone},
		{"就这些。", AnswerDone},
		{"不聊了", AnswerDone},
		// small talk keeps the question waiting
		{"ok", AnswerAck},
		{"thanks!", AnswerAck},
		{"ok thanks", AnswerAck},
		{"好的", AnswerAck},
		{"谢谢", AnswerAck},
		{"👍", AnswerAck},
		{"收到", AnswerAck},
		{"ＯＫ", AnswerAck},
		{"", AnswerAck},
		{" … ", AnswerAck},
		// answers, however short
		{"yes", AnswerText},
		{"no", AnswerText},
		{"Yes, thanks", AnswerText},
		{"不知道", AnswerText},
		{"I don't know", AnswerText},
		{"张总", AnswerText},
		{"the CFO signs off", AnswerText},
		{"skip the intro call and go straight to the demo", AnswerText},
		{"next Friday", AnswerText},
		{"下一个季度", AnswerText},
		{"done by Friday", AnswerText},
		{"预算大概100万", AnswerText},
	} {
		if got := ClassifyAnswer(tc.in); got != tc.want {
			t.Errorf("ClassifyAnswer(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestAnswerKindString(t *testing.T) {
	if AnswerLater.String() != "later" || AnswerKind(9).String() != "answer(?)" {
		t.Errorf("AnswerKind.String: %q %q", AnswerLater, AnswerKind(9))
	}
	if Contact.String() != "contact" || Coach.String() != "coach" || Qualify.String() != "qualify" {
		t.Errorf("Kind.String: %q %q %q", Coach, Qualify, Contact)
	}
}
