package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// The first word of a slash command, in either language.
var (
	slashHelp = setOf("help", "帮助", "?", "h", "usage")
	slashList = setOf("list", "ls", "列表", "mine")
	slashShow = setOf("show", "查看", "详情", "info", "status", "view")
	slashNew  = setOf("new", "create", "add", "新建", "新增", "创建", "添加", "新商机")
	slashPipe = setOf("pipeline", "forecast", "funnel", "漏斗", "预测", "summary")
)

// slashBody returns the text after "/deal".
func slashBody(t text) (text, bool) {
	if !strings.HasPrefix(t.low, "/deal") {
		return t, false
	}
	rest := t.from(len("/deal"))
	if c := rest.low; c != "" && c[0] != ' ' && c[0] != '#' && c[0] < 0x80 {
		return t, false // "/deals", "/dealer"
	}
	return rest.trim(), true
}

// slash reads the /deal grammar: a subcommand word (help, list, show, new,
// pipeline, or their zh forms) or a deal reference followed by fields in the
// free-text vocabulary ("#12 stage 3", "Acme next call CFO Friday").
func (p *parser) slash(b text) Command {
	if b.empty() {
		return Command{Kind: Help}
	}
	w, rest := firstWord(b)
	if cmd, ok := p.slashView(w, rest); ok {
		return cmd
	}
	if cmd, ok := p.slashAdviceCmd(w, rest); ok {
		return cmd
	}
	if cmd, ok := p.slashTier(w, rest); ok {
		return cmd
	}
	switch {
	case slashHelp[w]:
		return Command{Kind: Help, Topic: helpTopic(rest.low)}
	case slashList[w]:
		cmd, _ := p.listFilter(rest.raw())
		return cmd
	case slashShow[w]:
		ref, _ := cleanRef(rest)
		if ref.IsZero() {
			return Command{Kind: Show, Err: coach.Errorf(coach.Invalid, "err.need_deal")}
		}
		return Command{Kind: Show, Ref: ref}
	case slashNew[w]:
		return p.newDeal(rest)
	case slashPipe[w]:
		return Command{Kind: Pipeline}
	}
	if cmd, ok := p.slashSchedule(w, rest); ok {
		return cmd
	}
	if cmd, ok := p.done(b); ok {
		return cmd
	}
	if cmd, ok := p.slashVerb(w, rest); ok {
		return cmd
	}
	if cmd, ok := p.snooze(b, true); ok {
		return cmd
	}
	if body, ok := cutNewPrefix(b); ok {
		return p.newDeal(body)
	}
	if cmd, ok := p.slashCoaching(b); ok {
		return cmd
	}
	hs := p.hits(b)
	if len(hs) == 0 {
		if cmd, ok := p.badFactor(b, Ref{}, false); ok { // "/deal #12 budget soon"
			return cmd
		}
		if ref, ok := nameRef(b, false, p.pb); ok {
			return Command{Kind: Show, Ref: ref}
		}
		return Command{}
	}
	return p.update(b, hs)
}

// firstWord splits off the first word of t, lower case.
func firstWord(t text) (string, text) {
	i := strings.IndexByte(t.low, ' ')
	if i < 0 {
		return t.low, t.from(len(t.low))
	}
	return t.low[:i], t.from(i).trim()
}
