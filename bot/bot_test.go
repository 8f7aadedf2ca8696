package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/dealcoach/dealcoach/store"
)

// testNow is Tuesday 2026-11-24, 10:00 in Shanghai.
var testNow = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

type harness struct {
	t        testing.TB
	bot      *Bot
	db       *store.DB
	path     string
	playbook string
}

// newHarness is a bot on the seven-step playbook over a fresh database.
func newHarness(t testing.TB, admins ...string) *harness {
	return newPlaybookHarness(t, "seven-step", admins...)
}

// newPlaybookHarness is a bot on the named playbook over a fresh database.
func newPlaybookHarness(t testing.TB, playbook string, admins ...string) *harness {
	t.Helper()
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "bot.db"), playbook: playbook}
	h.open(admins...)
	t.Cleanup(func() { h.db.Close() })
	return h
}

func (h *harness) open(admins ...string) {
	h.t.Helper()
	now := func() time.Time { return testNow }
	db, err := store.Open(context.Background(), h.path, store.WithClock(now))
	if err != nil {
		h.t.Fatal(err)
	}
	pb, err := prompts.LoadPlaybook(h.playbook)
	if err != nil {
		h.t.Fatal(err)
	}
	cat, err := prompts.LoadCatalog()
	if err != nil {
		h.t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	h.db = db
	h.bot, err = New(Config{Store: db, Playbook: pb, Catalog: cat, Now: now, DefaultTZ: shanghai,
		DefaultLang: "zh", Currency: "CNY", Admins: admins})
	if err != nil {
		h.t.Fatal(err)
	}
}

// restart closes and reopens the database and the bot, as a process restart.
func (h *harness) restart() {
	h.db.Close()
	h.open()
}

func (h *harness) say(who, text string) string {
	h.t.Helper()
	r, err := h.bot.Handle(context.Background(), Message{Platform: "console", Team: "t", Channel: "c",
		UserID: who, UserName: who, Text: text, Time: testNow})
	if err != nil {
		h.t.Fatalf("%s: %q: %v", who, text, err)
	}
	return r.PlainText()
}

func (h *harness) deal(id int64) coach.Deal {
	h.t.Helper()
	d, err := h.db.Deal(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func (h *harness) events(id int64) int {
	h.t.Helper()
	hist, err := h.db.History(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return len(hist)
}

func mustContain(t testing.TB, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("reply lacks %q:\n%s", w, got)
		}
	}
}

func TestPipelineInBothLanguages(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.say("张伟", "/deal new 经信银行 120万"), "已创建 #1 经信银行")
	mustContain(t, h.say("张伟", "经信银行 推进到立项, 金额150万, 下一步周五拜访刘行长"),
		"已更新 #1", "待开发客户 → 立项客户 25%", "¥120万 → ¥150万", "拜访刘行长", "11月27日 周五")
	d := h.deal(1)
	if d.Stage != "approved" || d.Amount != coach.Major(1_500_000) || d.NextStep != "拜访刘行长" ||
		d.NextStepDue != (coach.Date{Year: 2026, Month: 11, Day: 27}) || h.events(1) != 4 {
		t.Fatalf("deal 1 = %+v, %d events", d, h.events(1))
	}
	mustContain(t, h.say("Alice", "new deal Acme Corp 120k"), "Created #2 Acme Corp")
	mustContain(t, h.say("Alice", "Acme moved to shortlist, next step: demo Friday"),
		"Updated #2", "Shortlisted 50%", "demo", "Fri Nov 27")
	mustContain(t, h.say("Alice", "Acme won"), "Won")
	if d := h.deal(2); d.Status != coach.Won || d.Stage != "won" {
		t.Fatalf("deal 2 = %+v", d)
	}
	mustContain(t, h.say("张伟", "经信银行 丢单, 原因价格太高"), "丢单")
	if d := h.deal(1); d.Status != coach.Lost || !strings.Contains(d.LostReason, "价格太高") {
		t.Fatalf("deal 1 = %+v", d)
	}
	// Moving a lost deal's stage reopens it.
	mustContain(t, h.say("张伟", "/deal #1 stage 4"), "已重新打开", "入围客户 50%")
	if d := h.deal(1); d.Status != coach.Open || d.LostReason != "" || d.Stage != "shortlist" {
		t.Fatalf("deal 1 = %+v", d)
	}
}

func TestReadOnlyAnswersChangeNothing(t *testing.T) {
	h := newHarness(t)
	h.say("张伟", "/deal new 经信银行 120万")
	h.say("张伟", "完成") // no coaching now
	h.say("张伟", "经信银行 下一步 周五 拜访")
	before := h.deal(1)
	mustContain(t, h.say("张伟", "经信银行现在什么情况?"), "#1 经信银行", "调整阶段…", "拜访")
	mustContain(t, h.say("张伟", "how is my pipeline?"), "Your pipeline: 1 open deal", "¥1,200,000")
	mustContain(t, h.say("张伟", "我的漏斗怎么样"), "你的漏斗:1个进行中的商机")
	mustContain(t, h.say("张伟", "列表"), "#1 经信银行")
	mustContain(t, h.say("张伟", "help"), "new deal")
	mustContain(t, h.say("张伟", "帮助"), "新商机")
	mustContain(t, h.say("张伟", "谢谢"), "张伟")
	mustContain(t, h.say("张伟", "what is the weather like"), "nothing changed")
	if after := h.deal(1); after != before {
		t.Fatalf("a read-only message changed the deal:\n%+v\n%+v", before, after)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done") // no coaching now: every message is a command
	tests := []struct{ text, want string }{
		{"Acme moved to nowhere", `"nowhere" is not a stage`},
		{"经信银行 推进到天堂", "不是一个阶段"},
		{"Acme amount $12x", "couldn't read the amount"},
		{"Initech won", `can't find a deal called "Initech"`},
		{"#99 won", `can't find a deal called "#99"`},
		{"/deal new", "Which customer"},
		{strings.Repeat("Acme won ", 1000), "too long"},
	}
	for _, tt := range tests {
		mustContain(t, h.say("Alice", tt.text), tt.want)
	}
	if d := h.deal(1); d.Stage != "prospect" || d.Amount != coach.Major(120_000) || d.Status != coach.Open || h.events(1) != 1 {
		t.Fatalf("bad input changed the deal: %+v, %d events", d, h.events(1))
	}
}

func TestAmbiguousNameAsksWhichAndSurvivesRestart(t *testing.T) {
	h := newHarness(t)
	h.say("张伟", "立即辅导") // asked at once, so that a question waits across the restart
	h.say("张伟", "新商机 经信银行 核心系统 120万")
	h.say("张伟", "新商机 经信银行 信用卡 80万")
	got := h.say("张伟", "经信银行 推进到立项")
	mustContain(t, got, "不止一个", "#1 经信银行 · 核心系统", "#2 经信银行 · 信用卡")
	if h.deal(1).Stage != "interest" && h.deal(1).Stage != "prospect" {
		t.Fatal("ambiguous update changed a deal")
	}
	h.restart()
	var pick string
	if strings.Index(got, "#1 ") < strings.Index(got, "#2 ") {
		pick = "2"
	} else {
		pick = "1"
	}
	mustContain(t, h.say("张伟", pick), "已更新 #2", "立项客户")
	if h.deal(2).Stage != "approved" || h.deal(1).Stage == "approved" {
		t.Fatalf("pick applied to the wrong deal: %+v / %+v", h.deal(1), h.deal(2))
	}
	// A full name is not ambiguous; "1" with nothing pending is not a pick.
	mustContain(t, h.say("张伟", "经信银行 核心系统 推进到入围"), "已更新 #1")
	if out := h.say("张伟", "1"); strings.Contains(out, "已更新") {
		t.Fatalf("a stray number updated a deal: %s", out)
	}
	if h.deal(2).Stage != "approved" {
		t.Fatal("a stray number changed a deal")
	}
}

func TestFuzzyAndPrefixNames(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Umbrella Health 300k")
	// A near miss is never applied: the bot asks, and applies on yes.
	mustContain(t, h.say("Alice", "Umbrela Health moved to interested"), "Did you mean Umbrella Health?")
	if h.deal(1).Stage != "prospect" {
		t.Fatal("a near miss changed the deal before it was confirmed")
	}
	mustContain(t, h.say("Alice", "yes"), "Updated #1")
	// A prefix is not a name: asked about (here about the deal being coached), applied on yes.
	mustContain(t, h.say("Alice", "Umbr moved to approved"), "Umbrella Health")
	if h.deal(1).Stage != "interest" {
		t.Fatal("a prefix changed the deal before it was confirmed")
	}
	mustContain(t, h.say("Alice", "yes"), "Updated #1", "Project approved")
	mustContain(t, h.say("Alice", "Umbrella moved to shortlist"), "Updated #1", "Shortlisted") // a whole-word short form
}

func TestOnlyOwnerManagerOrAdminMayWrite(t *testing.T) {
	h := newHarness(t, "boss")
	h.say("Alice", "new deal Acme Corp 120k")
	mustContain(t, h.say("Bob", "/deal #1 won"), "属于 Alice") // no language shown: the default, zh
	mustContain(t, h.say("Bob", "show #1"), "#1 Acme Corp")  // reading is fine
	if h.deal(1).Status != coach.Open || h.events(1) != 1 {
		t.Fatal("a stranger changed the deal")
	}
	mustContain(t, h.say("boss", "/deal #1 stage 3"), "已更新 #1")
}

func TestDuplicateNewIsRefused(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Acme Corp 120k")
	mustContain(t, h.say("Alice", "new deal acme corp 50k"), "already have #1")
	if n, _ := h.db.CountDeals(context.Background()); n != 1 {
		t.Fatalf("%d deals", n)
	}
}

func TestNextStepQuestion(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	mustContain(t, h.say("Alice", "Acme amount 150k"), "What is your next step on #1")
	mustContain(t, h.say("Alice", "Acme next step: send proposal"), "When will you")
	mustContain(t, h.say("Alice", "Acme next step send proposal Dec 15"), "Tue Dec 15")
	if d := h.deal(1); d.NextStepDue != (coach.Date{Year: 2026, Month: 12, Day: 15}) {
		t.Fatalf("due = %v", d.NextStepDue)
	}
}

// keyRE finds message keys written in code: b.text(…, "key" …) and
// coach.Errorf(code, "key" …).
var keyRE = regexp.MustCompile(`(?:\btext\([a-z.]+, |Errorf\(coach\.\w+, )"([a-z_]+(?:\.[a-z_]+)*)"`)

// Every message key the code uses exists in the catalogue (which in turn
// has every key in both languages), and so does every key built from a
// flag or history event kind.
func TestKeysUsedExist(t *testing.T) {
	cat, err := prompts.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("../store/*.go")
	parseFiles, _ := filepath.Glob("parse/*.go")
	found := 0
	for _, f := range slices.Concat(files, more, parseFiles) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			found++
			if !cat.Has(m[1]) {
				t.Errorf("%s uses message %q, which the catalogue lacks", f, m[1])
			}
		}
	}
	if found < 50 {
		t.Fatalf("found only %d keys in the code: is the pattern stale?", found)
	}
	for _, k := range []coach.FlagKind{coach.FlagStale, coach.FlagNextOverdue, coach.FlagNextDue, coach.FlagNextMissing, coach.FlagClosePassed,
		coach.FlagUnanswered, coach.FlagNoExitCriteria, coach.FlagNoDecider, coach.FlagWarnings} {
		if !cat.Has("flag." + string(k)) {
			t.Errorf("catalogue lacks flag.%s", k)
		}
	}
	for _, k := range []coach.EventKind{coach.EvCreated, coach.EvStage, coach.EvAmount, coach.EvNextStep, coach.EvClose,
		coach.EvNote, coach.EvWon, coach.EvLost, coach.EvReopened, coach.EvRenamed, coach.EvOwner, coach.EvAnswer,
		coach.EvSkipped, coach.EvQualified, coach.EvContact, coach.EvSnoozed} {
		if !cat.Has("ev." + string(k)) {
			t.Errorf("catalogue lacks ev.%s", k)
		}
	}
}

func TestAmountInAnotherCurrencyIsAsked(t *testing.T) {
	h := newHarness(t) // the deployment's currency is CNY
	mustContain(t, h.say("Alice", "new deal Acme Corp $120k"), "Amounts here are in CNY", "in USD")
	if n, _ := h.db.CountDeals(context.Background()); n != 0 {
		t.Fatal("a dollar amount created a yuan deal")
	}
	mustContain(t, h.say("Alice", "new deal Acme Corp 120k"), "Created #1")
	mustContain(t, h.say("Alice", "Acme ¥150k"), "¥120,000 → ¥150,000")
	mustContain(t, h.say("Alice", "Acme amount 200 dollars"), "in USD")
	if d := h.deal(1); d.Amount != coach.Major(150_000) {
		t.Fatalf("amount = %v", d.Amount)
	}
}

// Several people chatting at once: every update lands, and the race
// detector (CI runs -race) watches the core's shared state.
func TestConcurrentChats(t *testing.T) {
	h := newHarness(t)
	const people, each = 6, 15
	for p := range people {
		h.say(fmt.Sprintf("rep%d", p), fmt.Sprintf("new deal Northwind %d 10k", p))
		h.say(fmt.Sprintf("rep%d", p), "done")
	}
	var wg sync.WaitGroup
	for p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				text := fmt.Sprintf("Northwind %d amount %dk, next step call Friday", p, 11+i)
				r, err := h.bot.Handle(context.Background(), Message{Platform: "console", Channel: "c",
					UserID: fmt.Sprintf("rep%d", p), Text: text})
				if err != nil || r.DealID == 0 {
					t.Errorf("%s: %v %s", text, err, r.PlainText())
					return
				}
			}
		}()
	}
	wg.Wait()
	for p := range people {
		if d := h.deal(int64(p + 1)); d.Amount != coach.Major(int64(11+each-1)*1000) {
			t.Errorf("deal %d amount %v", p+1, d.Amount)
		}
	}
}

// editDeal changes deal id as a chat turn does (see bottest.EditDeal).
func editDeal(ctx context.Context, db *store.DB, id, actorID int64, change func(*coach.Deal) ([]coach.Event, error)) (before, after coach.Deal, err error) {
	for {
		if before, err = db.Deal(ctx, id); err != nil {
			return before, before, err
		}
		after = before
		evs, err := change(&after)
		if err != nil {
			return before, before, err
		}
		after, err = db.UpdateDeal(ctx, coach.NewUpdate(before, after, evs, time.Now()), actorID, nil)
		if !errors.Is(err, store.ErrStale) {
			return before, after, err
		}
	}
}

// Several turns changing one deal at once: each reads the deal, decides and
// commits with a version check, and runs again when another committed in
// between, so that every change lands and none is written over.
func TestConcurrentTurnsOnOneDealLoseNothing(t *testing.T) {
	h := newHarness(t)
	h.say("rep", "/deal new Northwind 10k")
	const writers, each = 4, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				text := fmt.Sprintf("/deal #1 note call %d-%d", w, i)
				r, err := h.bot.Handle(context.Background(), Message{Platform: "console", Channel: fmt.Sprintf("c%d", w),
					UserID: "rep", Text: text})
				if err != nil || r.Ephemeral {
					t.Errorf("%s: %v %s", text, err, r.PlainText())
					return
				}
			}
		}()
	}
	wg.Wait()
	hist, err := h.db.History(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, e := range hist {
		if e.Kind == coach.EvNote {
			notes++
		}
	}
	if notes != writers*each {
		t.Errorf("%d notes, want %d", notes, writers*each)
	}
}
