package parse

import "strings"

// helpTopics maps the words for a feature to the feature "help X" explains.
var helpTopics = map[string]string{
	"snooze": "snooze", "snoozing": "snooze", "暂缓": "snooze", "推迟": "snooze", "免打扰": "snooze",
	"coach": "coach", "coaching": "coach", "辅导": "coach", "教练": "coach", "推进问题": "coach", "questions": "coach",
	"qualify": "qualify", "qualification": "qualify", "8c1f0w": "qualify", "资格": "qualify", "资格评估": "qualify",
	"remind": "remind", "reminder": "remind", "reminders": "remind", "提醒": "remind", "nudge": "remind",
	"undo": "undo", "撤销": "undo", "confirm": "undo", "确认": "undo",
	"team": "team", "teams": "team", "团队": "team", "digest": "team", "周报": "team",
	"update": "update", "updates": "update", "更新": "update", "stage": "update", "stages": "update", "阶段": "update",
	"amount": "update", "金额": "update", "next step": "update", "下一步": "update",
	"new": "new", "new deal": "new", "create": "new", "新建": "new", "新商机": "new",
	"contact": "contact", "contacts": "contact", "decision chain": "contact", "决策链": "contact", "联系人": "contact",
}

// helpTopic is the feature named in low, or "".
func helpTopic(low string) string {
	return helpTopics[strings.Trim(strings.TrimSpace(low), "?? ")]
}

// helpAbout reads "help snooze", "帮助 暂缓", "how do I snooze?", "暂缓怎么用".
func helpAbout(low string) (string, bool) {
	low = strings.TrimRight(low, "?? ")
	for _, pre := range []string{"help with ", "help on ", "help ", "帮助 ", "帮助", "how do i ", "how to ", "如何", "怎么"} {
		if rest, ok := strings.CutPrefix(low, pre); ok {
			if t := helpTopic(rest); t != "" {
				return t, true
			}
		}
	}
	for _, suf := range []string{"怎么用", "如何使用", "是什么", " help"} {
		if rest, ok := strings.CutSuffix(low, suf); ok {
			if t := helpTopic(rest); t != "" {
				return t, true
			}
		}
	}
	return "", false
}
