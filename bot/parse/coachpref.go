package parse

import "strings"

// CoachPref sets when the speaker is coached on a new deal or a stage
// move: at once ("coach me right away", "立即辅导"), or by an offer they
// take up when they like ("coach off", "先别问我"), the default.
type CoachPref struct {
	Now bool
}

var (
	coachNowWords = setOf("coach me right away", "coach me at once", "coach me immediately", "coach right away",
		"coach at once", "coach on", "coaching on", "ask me right away", "ask the questions right away",
		"立即辅导", "马上辅导", "立刻辅导", "直接辅导", "辅导 立即", "辅导立即", "新阶段直接问我", "直接问我问题", "打开立即辅导")
	coachOfferWords = setOf("coach off", "coaching off", "offer coaching", "just offer coaching", "don't coach me right away",
		"dont coach me right away", "coach me later", "coach when i ask", "ask before coaching",
		"不要立即辅导", "别立即辅导", "关闭立即辅导", "辅导 稍后", "先别问我", "需要时再辅导", "我要辅导时再说", "先问我要不要辅导")
)

// coachPref reads the coaching preference, a whole message.
func coachPref(t text) (Command, bool) {
	low := strings.TrimRight(t.low, ".!。！ ")
	switch {
	case coachNowWords[low]:
		return Command{Kind: Pref, Pref: &CoachPref{Now: true}}, true
	case coachOfferWords[low]:
		return Command{Kind: Pref, Pref: &CoachPref{}}, true
	}
	return Command{}, false
}
