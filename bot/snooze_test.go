package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

// lastEvent is the newest history event of deal id.
func (h *harness) lastEvent(id int64) coach.Event {
	h.t.Helper()
	hist, err := h.db.History(context.Background(), id)
	if err != nil || len(hist) == 0 {
		h.t.Fatalf("history of #%d: %v, %d events", id, err, len(hist))
	}
	return hist[len(hist)-1]
}

// The snooze menu of the deal card sends exactly these commands.
func TestSnoozeMenuCommands(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	prev := ""
	for _, tt := range []struct {
		cmd, shown string
		until      coach.Date
	}{ // testNow is Tuesday 24 November 2026
		{"/deal #1 snooze 1d", "Wed Nov 25", coach.Date{Year: 2026, Month: 11, Day: 25}},
		{"/deal #1 snooze 3d", "Fri Nov 27", coach.Date{Year: 2026, Month: 11, Day: 27}},
		{"/deal #1 snooze 7d", "Tue Dec 1", coach.Date{Year: 2026, Month: 12, Day: 1}},
	} {
		mustContain(t, h.say("Alice", tt.cmd), "Snoozed #1 Acme Corp until "+tt.shown, "no reminders before then")
		if d := h.deal(1); d.SnoozedUntil != tt.until {
			t.Errorf("%s: SnoozedUntil = %v, want %v", tt.cmd, d.SnoozedUntil, tt.until)
		}
		e := h.lastEvent(1)
		if e.Kind != coach.EvSnoozed || e.From != prev || e.To != tt.until.String() || e.Actor != "Alice" {
			t.Errorf("%s: event %+v", tt.cmd, e)
		}
		prev = tt.until.String()
	}
	mustContain(t, h.say("Alice", "show #1"), "Snoozed until: Tue Dec 1 (in 7 days)")
}

func TestSnoozeFreeTextAndUnsnooze(t *testing.T) {
	h := newHarness(t)
	h.say("张伟", "新商机 经信银行 120万")
	h.say("张伟", "完成")
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	n := h.events(1)
	mustContain(t, h.say("张伟", "经信银行 暂缓一周"), "已暂缓 #1 经信银行 到 12月1日 周二", "不再提醒")
	if d := h.deal(1); d.SnoozedUntil != (coach.Date{Year: 2026, Month: 12, Day: 1}) || h.events(1) != n+1 {
		t.Fatalf("deal 1 = %+v, %d events", d, h.events(1))
	}
	if e := h.lastEvent(1); e.Kind != coach.EvSnoozed || e.From != "" || e.To != "2026-12-01" {
		t.Fatalf("event %+v", e)
	}
	card := h.say("张伟", "经信银行现在什么情况?")
	mustContain(t, card, "暂缓到: 12月1日 周二 (7天后)", "暂缓到 2026-12-01")
	mustContain(t, h.say("张伟", "#1 3天后再提醒"), "已暂缓 #1 经信银行 到 11月27日 周五")
	mustContain(t, h.say("张伟", "#1 取消暂缓"), "已取消暂缓 #1 经信银行")
	if d := h.deal(1); !d.SnoozedUntil.IsZero() {
		t.Fatalf("unsnoozed deal kept %v", d.SnoozedUntil)
	}
	if e := h.lastEvent(1); e.Kind != coach.EvSnoozed || e.From != "2026-11-27" || e.To != "" {
		t.Fatalf("event %+v", e)
	}
	if card := h.say("张伟", "查看 #1"); strings.Contains(card, "暂缓到:") {
		t.Fatalf("the card of an unsnoozed deal shows a snooze:\n%s", card)
	}
	n = h.events(1)
	mustContain(t, h.say("张伟", "#1 取消暂缓"), "没有暂缓,没有改动")
	if h.events(1) != n {
		t.Fatal("unsnoozing a deal that was not snoozed wrote history")
	}

	mustContain(t, h.say("Alice", "snooze Acme until Friday"), "Snoozed #2 Acme Corp until Fri Nov 27")
	mustContain(t, h.say("Alice", "show #2"), "Snoozed until: Fri Nov 27 (in 3 days)", "snoozed until 2026-11-27")
	mustContain(t, h.say("Alice", "unsnooze Acme"), "#2 Acme Corp is no longer snoozed")
	if d := h.deal(2); !d.SnoozedUntil.IsZero() {
		t.Fatalf("deal 2 still snoozed until %v", d.SnoozedUntil)
	}
}

// A name that fits two deals is asked about, and the pick finishes the
// snooze.
func TestSnoozeAsksWhich(t *testing.T) {
	h := newHarness(t)
	h.say("张伟", "新商机 经信银行 核心系统 120万")
	h.say("张伟", "新商机 经信银行 信用卡 80万")
	h.say("张伟", "完成")
	mustContain(t, h.say("张伟", "经信银行 暂缓3天"), "不止一个")
	if !h.deal(1).SnoozedUntil.IsZero() || !h.deal(2).SnoozedUntil.IsZero() {
		t.Fatal("an ambiguous snooze changed a deal")
	}
	mustContain(t, h.say("张伟", "#2"), "已暂缓 #2")
	if d := h.deal(2); d.SnoozedUntil != (coach.Date{Year: 2026, Month: 11, Day: 27}) || !h.deal(1).SnoozedUntil.IsZero() {
		t.Fatalf("the pick snoozed the wrong deal: %v / %v", h.deal(1).SnoozedUntil, d.SnoozedUntil)
	}
}

func TestSnoozeRefusals(t *testing.T) {
	h := newHarness(t, "boss")
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	h.say("Alice", "new deal Initech 50k")
	h.say("Alice", "done")
	h.say("Alice", "Initech won")
	tests := []struct{ who, text, want string }{
		{"Bob", "/deal #1 snooze 3d", "属于 Alice"}, // no language shown: the default, zh,
		{"Bob", "经信银行 暂缓一周", "找不到"},
		{"Alice", "/deal #1 snooze soon", `how long to snooze from "soon"`},
		{"Alice", "/deal #1 snooze", "how long to snooze"},
		{"Alice", "/deal #1 snooze 91d", "2027-02-23 is more than 90 days away"},
		{"Alice", "snooze Acme until today", "must end after today"},
		{"Alice", "/deal #1 snooze 2026-13-45", `couldn't read the date "2026-13-45"`},
		{"Alice", "#1 暂缓一阵子", "没看懂要暂缓多久"},
		{"Alice", "/deal #2 snooze 3d", "#2 已经关闭"}, // Alice spoke zh last,
	}
	for _, tt := range tests {
		mustContain(t, h.say(tt.who, tt.text), tt.want)
	}
	if d := h.deal(1); !d.SnoozedUntil.IsZero() || h.events(1) != 1 {
		t.Fatalf("a refused snooze changed the deal: %+v, %d events", d, h.events(1))
	}
	if d := h.deal(2); !d.SnoozedUntil.IsZero() {
		t.Fatalf("a closed deal was snoozed: %+v", d)
	}
	mustContain(t, h.say("boss", "/deal #1 snooze 3d"), "已暂缓 #1")
}
