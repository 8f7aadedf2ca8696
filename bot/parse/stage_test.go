package parse

import (
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

var stageCases = []struct {
	playbook, in, want string // want "": no stage
}{
	{"seven-step", "prospect", "prospect"},
	{"seven-step", "Prospect", "prospect"},
	{"seven-step", "待开发客户", "prospect"},
	{"seven-step", "线索", "prospect"},
	{"seven-step", "LEADS", "prospect"},
	{"seven-step", "interested", "interest"},
	{"seven-step", "意向客户", "interest"},
	{"seven-step", "有意向", "interest"},
	{"seven-step", "立项", "approved"},
	{"seven-step", "Project approved", "approved"},
	{"seven-step", "project approval", "approved"},
	{"seven-step", "入围", "shortlist"},
	{"seven-step", "short-list", "shortlist"},
	{"seven-step", "Shortlisted", "shortlist"},
	{"seven-step", "ＳＨＯＲＴＬＩＳＴ", "shortlist"},
	{"seven-step", "  立项  ", "approved"},
	{"seven-step", "合同", "contract"},
	{"seven-step", "negotiation", "contract"},
	{"seven-step", "成交", "won"},
	{"seven-step", "赢单", "won"},
	{"seven-step", "closed-won", "won"},
	{"seven-step", "3", "approved"},
	{"seven-step", "第3阶段", "approved"},
	{"seven-step", "第三阶段", "approved"},
	{"seven-step", "stage 3", "approved"},
	{"seven-step", "Stage 6", "won"},
	{"seven-step", "25%", "approved"},
	{"seven-step", "0%", "prospect"},
	{"seven-step", "100%", "won"},
	{"seven-step", "90 %", "contract"},
	{"seven-step", "立项阶段", "approved"},
	{"seven-step", "shortlist stage", "shortlist"},
	{"seven-step", "", ""},
	{"seven-step", "7", ""},
	{"seven-step", "0", ""},
	{"seven-step", "第七阶段", ""},
	{"seven-step", "33%", ""},
	{"seven-step", "moon", ""},
	{"seven-step", "short", ""},
	{"seven-step", "#3", ""},
	{"seven-step", "阶段", ""},
	{"seven-step", "met", ""},
	{"project-8", "met", "met"},
	{"project-8", "见到客户", "met"},
	{"project-8", "First Visit", "met"},
	{"project-8", "发现商机", "found"},
	{"project-8", "qualified", "confirmed"},
	{"project-8", "需求明确", "criteria"},
	{"project-8", "报价", "proposal"},
	{"project-8", "quotation", "proposal"},
	{"project-8", "口头承诺", "commit"},
	{"project-8", "verbal", "commit"},
	{"project-8", "验收阶段", "accept"},
	{"project-8", "payment received", "paid"},
	{"project-8", "8", "paid"},
	{"project-8", "第8阶段", "paid"},
	{"project-8", "40%", "criteria"},
	{"project-8", "80%", "accept"},
	{"project-8", "shortlist", ""},
	{"project-8", "9", ""},
	{"project-8", "25%", ""},
}

func TestMatchStage(t *testing.T) {
	pbs := map[string]*coach.Playbook{
		"seven-step": testPlaybook(t, "seven-step"),
		"project-8":  testPlaybook(t, "project-8"),
	}
	for _, tc := range stageCases {
		got, ok := MatchStage(tc.in, pbs[tc.playbook])
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("MatchStage(%q, %s) = %q, %v; want %q", tc.in, tc.playbook, got, ok, tc.want)
		}
	}
	if k, ok := MatchStage("立项", nil); ok || k != "" {
		t.Errorf("MatchStage with no playbook = %q, %v", k, ok)
	}
}
