package parse

import (
	"strings"
)

// AnswerKind is what a message is while a coaching question waits for an
// answer.
type AnswerKind int

// The kinds of answer.
const (
	AnswerText  AnswerKind = iota // an answer: store it ("张总", "yes", "不知道", "the CFO signs")
	AnswerSkip                    // skip this question: "skip", "next", "跳过", "下一题"
	AnswerLater                   // stop for now, ask again later: "later", "not now", "稍后", "回头再说"
	AnswerDone                    // stop the coaching: "done", "that's all", "结束", "先这样"
	AnswerAck                     // no answer: "ok", "thanks!", "好的", "👍", ""; the question stays
)

var answerKindNames = [...]string{"text", "skip", "later", "done", "ack"}

// String is the kind's name, for logs and tests.
func (k AnswerKind) String() string {
	if k < 0 || int(k) >= len(answerKindNames) {
		return "answer(?)"
	}
	return answerKindNames[k]
}

// The whole messages that are not answers, lower case, without the
// punctuation around them and with single spaces.
var answerWords = func() map[string]AnswerKind {
	m := map[string]AnswerKind{}
	add := func(k AnswerKind, words ...string) {
		for _, w := range words {
			m[w] = k
		}
	}
	add(AnswerSkip, "skip", "skip it", "skip this", "skip this one", "skip this question", "pass", "next",
		"next one", "next question", "跳过", "跳过吧", "跳过这题", "跳过这个", "下一个", "下一题", "下一个问题",
		"换一个", "换一题", "过")
	add(AnswerLater, "later", "ask me later", "ask later", "not now", "maybe later", "remind me later",
		"later please", "another time", "稍后", "稍后再说", "回头再说", "以后再说", "晚点", "晚点再说", "晚些",
		"等会儿", "等会", "等会再说", "待会儿", "待会", "一会儿再说", "下次再说", "改天", "改天再说")
	add(AnswerDone, "done", "stop", "that's all", "thats all", "that is all", "enough", "i'm done", "im done",
		"i am done", "quit", "exit", "we're done", "finish", "finished", "完成", "完成了", "结束", "结束了",
		"先这样", "先这样吧", "就这些", "就这样", "不聊了", "先到这", "先到这里", "够了", "停", "停止", "退出")
	return m
}()

// answerNotAck are small-talk words that do answer a coaching question:
// "Have you met the decision maker?" — "yes".
var answerNotAck = setOf("yes", "no", "yep", "nope", "sure", "可以", "行", "没问题", "好")

// ClassifyAnswer tells what a message is while a coaching question is
// pending: an answer, or a word that skips, postpones or ends the coaching,
// or small talk. Only the whole message counts, after trimming punctuation
// and case: "skip the intro call" is an answer. "不知道" (I don't know) is
// an answer too.
func ClassifyAnswer(s string) AnswerKind {
	if len(s) > maxInput {
		return AnswerText
	}
	t := newText(s)
	if t.trim().empty() { // "", "…", "👍": nothing to store
		return AnswerAck
	}
	words := strings.FieldsFunc(t.trim().low, func(r rune) bool { return r == ' ' || r == ',' || r == '\n' })
	key := strings.Join(words, " ")
	for _, k := range []string{key, strings.TrimSuffix(key, "吧"), strings.TrimSuffix(key, " please"),
		strings.TrimPrefix(key, "please ")} {
		if kind, ok := answerWords[k]; ok && k != "" {
			return kind
		}
	}
	for _, w := range words {
		if answerNotAck[strings.Trim(w, ".!?")] {
			return AnswerText
		}
	}
	if isSmallTalk(t) {
		return AnswerAck
	}
	return AnswerText
}
