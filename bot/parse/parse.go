// Package parse reads what a sales rep types to the bot, in Chinese or
// English, free text or the /deal slash grammar, into a Command. It is pure
// Go with no I/O: the bot resolves deal names and applies the command.
package parse

import (
	"strings"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// Kind is what a message asks for.
type Kind int

// The kinds of command.
const (
	Unknown   Kind = iota // unclear: changes nothing, the bot answers with a short hint
	SmallTalk             // hi, thanks, 你好, 谢谢, ok, 好的 …
	Help                  // help, ?, 帮助, 怎么用, "/deal help"
	List                  // list my deals, optionally in one Stage
	Show                  // show one deal: "/deal show #12", "经信银行现在什么情况?", "#12"
	Pipeline              // read-only summary: "how is my pipeline?", "我的漏斗怎么样"
	New                   // create a deal: "/deal new 经信银行 120万", "new deal Acme $120k"
	Update                // change fields of an existing deal
	Won                   // "/deal #12 won", "Initech won", "经信银行 赢单了", "签了"
	Lost                  // "/deal #12 lost price too high", "经信银行 丢单, 原因价格"
	Coach                 // coach one deal through its push questions: "coach Acme", "辅导 #12"
	Qualify               // 8C1F0W: "qualify #12" starts a guided walk; "Acme budget F" sets Marks
	Contact               // a person of the decision chain: "Acme: Jane Doe is the decision maker, ally"
	Snooze                // no reminders until SnoozeUntil: "/deal #12 snooze 3d", "经信银行 暂缓一周"; zero: "unsnooze #12"
	Team                  // team setup (Team): "/deal team add @alice", "/deal digest here"
	Remind                // the speaker's morning reminders (Remind): "reminders off", "remind me at 8"
	Done                  // the deal's next step is done; the bot asks for the next: "#12 done", "#12 下一步完成了"
	Undo                  // put back the speaker's last change: "undo", "撤销", "/deal undo"
	Advice                // advice from the deal itself: "how do I push Acme?", "我该怎么推进经信银行?" (advice.go)
	Pref                  // the speaker's coaching preference (Pref): "coach me right away", "立即辅导" (coachpref.go)
	Tier                  // a customer's key-account tier (Tier): "Acme tier A", "经信银行 客户等级 A" (tier.go)
)

var kindNames = [...]string{"unknown", "small_talk", "help", "list", "show", "pipeline", "new", "update", "won",
	"lost", "coach", "qualify", "contact", "snooze", "team", "remind", "done", "undo", "advice", "pref", "tier"}

// String is the kind's name, for logs and tests.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "kind(?)"
	}
	return kindNames[k]
}

// Ref names a deal: by id (#12) or by the words the user used.
type Ref struct {
	ID   int64
	Name string
}

// IsZero reports whether the message named no deal.
func (r Ref) IsZero() bool { return r == Ref{} }

// Command is one parsed message. Only the fields of its Kind are set.
type Command struct {
	Kind  Kind
	Lang  string // "zh" when the text has Han characters, "en" when it has Latin letters, "" otherwise
	Slash bool   // the text began with "/deal"
	Ref   Ref    // the deal referred to (Update, Won, Lost, Show, Coach, Qualify, Contact, Snooze, Advice)

	Customer, Title string // New: the customer and an optional title; Update: a new title

	Amount    coach.Money // in minor units
	HasAmount bool
	Currency  string // ISO code when the amount named one ("$120k" → USD), else ""

	Stage string // playbook stage key: New's starting stage, Update's target, List's filter

	NextStep string     // the next step without its date words
	NextDue  coach.Date // the next step's due date, when given
	HasNext  bool       // a next step (text or date) was given

	Close  coach.Date // expected close date
	Note   string     // "note: …", "备注 …"; clauses we could not place are kept here too
	Reason string     // Lost: the reason, may be ""; Update: why the stage changed ("because …", "原因 …")

	Marks   []Mark       // Qualify: the factor marks given in the message, in order; none starts a guided walk
	Contact *ContactInfo // Contact: the person and what was said about them

	SnoozeUntil coach.Date // Snooze: reminders resume on this day; zero ends the snooze

	Team   *TeamCmd   // Team
	Remind *RemindCmd // Remind
	View   *ViewCmd   // List, Pipeline: another person's or the team's (views.go); nil: the speaker's own
	Topic  string     // Help: one feature to explain ("snooze", "coach", …), "" for all
	Pref   *CoachPref // Pref
	Tier   string     // Tier: "A", "B" or "C"; Ref names the customer or one of its deals

	// Err is set when the user clearly meant something but a part is wrong
	// (a bad amount, date or stage, no deal named): then nothing must change.
	// With an error only Kind, Lang, Slash and Ref are kept, except for
	// err.need_deal, which keeps the fields so that the caller may take the
	// deal from the conversation and apply them.
	Err *coach.Error
}

// Context is what a message is read against.
type Context struct {
	Now      time.Time // "now" in the speaker's time zone: relative dates use its calendar day
	Playbook *coach.Playbook
	People   *coach.People // roles, relationships and styles; nil: contacts are not read
	Stages   *StageIndex   // Read's index of the playbook's stage names; nil: built per message
}

// Mark is one 8C1F0W mark: a factor key of the playbook and its value,
// "C" (clear, in our favour), "F" (fuzzy, not yet known) or "W" (warning).
type Mark struct {
	Factor string
	Value  string
}

// ContactInfo is a person of the deal's decision chain. Role, Relationship
// and Style are keys of people.yaml, "" when the message did not say.
type ContactInfo struct {
	Name, Role, Relationship, Style string
}

// maxInput bounds the work on one message; longer texts are refused.
const maxInput = 4000

// Parse reads one message. It never panics, on any input; texts over 4000
// bytes are refused with err.too_long, which bounds the work.
func Parse(text string, c Context) Command {
	cmd, _, _ := parse(text, c)
	return cmd
}

// ParseMessage is Parse that also tells a free-text message the keyword
// grammar read as an update, a bare name or nothing: the bot reads such a
// message again against the speaker's deals (Read) and keeps this reading
// only as a fallback.
func ParseMessage(text string, c Context) (Command, bool) {
	cmd, free, _ := parse(text, c)
	return cmd, free
}

// parse is ParseMessage, also telling the work done (see source.work).
func parse(text string, c Context) (Command, bool, int) {
	if len(text) > maxInput {
		return Command{Lang: detectLang(text[:maxInput]), Err: coach.Errorf(coach.Invalid, "err.too_long")}, false, 0
	}
	p := &parser{pb: c.Playbook, people: c.People, today: coach.DateOf(c.Now)}
	t := newText(text)
	if body, ok := slashBody(t.trim()); ok {
		if undoWords[body.trim().low] {
			return Command{Kind: Undo, Slash: true, Lang: detectLang(body.raw())}, false, 0
		}
		cmd := p.slash(body)
		cmd.Slash, cmd.Lang = true, detectLang(body.raw())
		return cmd, false, t.src.work
	}
	if undoWords[strings.TrimRight(t.trim().low, ".!")] {
		return Command{Kind: Undo, Lang: detectLang(text)}, false, t.src.work
	}
	cmd := p.free(t)
	cmd.Lang = detectLang(text)
	return cmd, p.freeText, t.src.work
}

// parser holds what every rule needs for one message.
type parser struct {
	freeText bool // free reached the update rules: see ParseMessage
	pb       *coach.Playbook
	people   *coach.People
	today    coach.Date
}

// free reads a message that is not a slash command. The order matters:
// fixed phrases first, then questions (read-only) before updates.
func (p *parser) free(t text) Command {
	if isSmallTalk(t) {
		return Command{Kind: SmallTalk}
	}
	if helpWords[strings.TrimSpace(t.low)] || helpWords[t.trim().low] {
		return Command{Kind: Help}
	}
	if topic, ok := helpAbout(t.trim().low); ok {
		return Command{Kind: Help, Topic: topic}
	}
	whole := t
	if t = t.trim(); t.empty() || t.low[0] == '/' {
		return Command{} // another bot's command is not ours
	}
	if body, ok := cutNewPrefix(t); ok {
		return p.newDeal(body)
	}
	if cmd, ok := freeSchedule(t); ok {
		return cmd
	}
	if cmd, ok := freeTeamLang(t); ok {
		return cmd
	}
	if cmd, ok := coachPref(t); ok {
		return cmd
	}
	if cmd, ok := p.view(t); ok {
		return cmd
	}
	if cmd, ok := p.advice(t); ok {
		return cmd
	}
	if cmd, ok := p.tier(t); ok {
		return cmd
	}
	if cmd, ok := p.done(t); ok {
		return cmd
	}
	if cmd, ok := p.snooze(t, false); ok {
		return cmd
	}
	if cmd, ok := p.coaching(t, whole); ok {
		return cmd
	}
	if cmd, ok := p.list(t); ok {
		return cmd
	}
	hits := p.hits(t)
	if len(hits) == 0 && isPipeline(t.low) {
		return Command{Kind: Pipeline}
	}
	if cmd, ok := p.question(t); ok {
		return cmd
	}
	if q, ok := asking(whole); ok && (len(hits) > 0 || !q.empty()) {
		return p.askAbout(q)
	}
	if len(hits) > 0 {
		return p.freeCmd(p.update(t, hits))
	}
	if cmd, ok := p.bare(t); ok {
		return p.freeCmd(cmd)
	}
	p.freeText = true
	if ref, ok := nameRef(t, true, p.pb); ok {
		return Command{Kind: Show, Ref: ref}
	}
	return Command{}
}

// freeCmd marks what the keyword grammar read as worth a second reading.
func (p *parser) freeCmd(c Command) Command {
	switch c.Kind {
	case Update, Won, Lost, Show, Unknown:
		p.freeText = true
	}
	return c
}

// undoWords put back the speaker's last change.
var undoWords = setOf("undo", "undo that", "undo it", "undo last", "undo the last change", "undo my last change",
	"revert", "revert that", "oops undo", "撤销", "撤回", "撤销上一步", "撤销刚才的修改", "撤销修改", "撤销刚才", "撤回刚才", "回退")

// Lang is the language a text is written in: "zh" when it has Han
// characters, "en" when it has Latin letters, "" otherwise.
func Lang(text string) string { return detectLang(text) }
