package parse

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
)

func dumpCtx(t *testing.T, name string) Context {
	pp, err := prompts.LoadPlaybook(name)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := coach.NewPlaybook(pp)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return Context{Now: time.Date(2026, 11, 24, 10, 0, 0, 0, loc), Playbook: pb}
}

func fmtCmd(c Command) string {
	s := fmt.Sprintf("%v", c.Kind)
	if c.Lang != "" {
		s += " lang=" + c.Lang
	}
	if c.Slash {
		s += " slash"
	}
	if c.Ref.ID != 0 {
		s += fmt.Sprintf(" id=%d", c.Ref.ID)
	}
	if c.Ref.Name != "" {
		s += fmt.Sprintf(" ref=%q", c.Ref.Name)
	}
	if c.Customer != "" {
		s += fmt.Sprintf(" cust=%q", c.Customer)
	}
	if c.Title != "" {
		s += fmt.Sprintf(" title=%q", c.Title)
	}
	if c.HasAmount {
		s += " amount=" + c.Amount.String()
	}
	if c.Stage != "" {
		s += " stage=" + c.Stage
	}
	if c.HasNext {
		s += fmt.Sprintf(" next=%q due=%s", c.NextStep, c.NextDue)
	}
	if !c.Close.IsZero() {
		s += " close=" + c.Close.String()
	}
	if c.Note != "" {
		s += fmt.Sprintf(" note=%q", c.Note)
	}
	if c.Reason != "" {
		s += fmt.Sprintf(" reason=%q", c.Reason)
	}
	if c.Err != nil {
		s += fmt.Sprintf(" ERR=%s%v", c.Err.Key, c.Err.Args)
	}
	return s
}

func TestDump(t *testing.T) {
	f := os.Getenv("DUMP")
	if f == "" {
		t.Skip()
	}
	pbn := os.Getenv("PB")
	if pbn == "" {
		pbn = "seven-step"
	}
	c := dumpCtx(t, pbn)
	fh, _ := os.Open(f)
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		fmt.Printf("%-50s => %s\n", line, fmtCmd(Parse(line, c)))
	}
}

func TestDumpDate(t *testing.T) {
	f := os.Getenv("DUMPDATE")
	if f == "" {
		t.Skip()
	}
	c := dumpCtx(t, "seven-step")
	now := c.Now
	if s := os.Getenv("NOW"); s != "" {
		now, _ = time.Parse(time.RFC3339, s)
	}
	fh, _ := os.Open(f)
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		d, ok := ParseDate(line, now)
		fmt.Printf("%-30s => %v %s %s\n", line, ok, d, d.Weekday())
	}
}

func goLit(in string, c Command) string {
	var f []string
	f = append(f, "Kind: "+map[Kind]string{Unknown: "Unknown", SmallTalk: "SmallTalk", Help: "Help", List: "List", Show: "Show", Pipeline: "Pipeline", New: "New", Update: "Update", Won: "Won", Lost: "Lost"}[c.Kind])
	if c.Lang != "" {
		f = append(f, fmt.Sprintf("Lang: %q", c.Lang))
	}
	if c.Slash {
		f = append(f, "Slash: true")
	}
	if c.Ref.ID != 0 {
		f = append(f, fmt.Sprintf("Ref: id(%d)", c.Ref.ID))
	}
	if c.Ref.Name != "" {
		f = append(f, fmt.Sprintf("Ref: name(%q)", c.Ref.Name))
	}
	if c.Customer != "" {
		f = append(f, fmt.Sprintf("Customer: %q", c.Customer))
	}
	if c.Title != "" {
		f = append(f, fmt.Sprintf("Title: %q", c.Title))
	}
	if c.HasAmount {
		m := int64(c.Amount)
		if m%1_000_000 == 0 && c.Lang == "zh" {
			f = append(f, fmt.Sprintf("Amount: wan(%d), HasAmount: true", m/1_000_000))
		} else {
			f = append(f, fmt.Sprintf("Amount: yuan(%d, %d), HasAmount: true", m/100, m%100))
		}
	}
	if c.Stage != "" {
		f = append(f, fmt.Sprintf("Stage: %q", c.Stage))
	}
	if c.NextStep != "" {
		f = append(f, fmt.Sprintf("NextStep: %q", c.NextStep))
	}
	if !c.NextDue.IsZero() {
		f = append(f, fmt.Sprintf("NextDue: day(%d, %d, %d)", c.NextDue.Year, c.NextDue.Month, c.NextDue.Day))
	}
	if c.HasNext {
		f = append(f, "HasNext: true")
	}
	if !c.Close.IsZero() {
		f = append(f, fmt.Sprintf("Close: day(%d, %d, %d)", c.Close.Year, c.Close.Month, c.Close.Day))
	}
	if c.Note != "" {
		f = append(f, fmt.Sprintf("Note: %q", c.Note))
	}
	if c.Reason != "" {
		f = append(f, fmt.Sprintf("Reason: %q", c.Reason))
	}
	if c.Err != nil {
		if t, ok := c.Err.Args["text"]; ok {
			f = append(f, fmt.Sprintf("Err: errText(%q, %q)", c.Err.Key, t))
		} else {
			f = append(f, fmt.Sprintf("Err: errKey(%q)", c.Err.Key))
		}
	}
	return fmt.Sprintf("\t{%q, C{%s}},", in, strings.Join(f, ", "))
}

func TestGen(t *testing.T) {
	f := os.Getenv("GEN")
	if f == "" {
		t.Skip()
	}
	pbn := os.Getenv("PB")
	if pbn == "" {
		pbn = "seven-step"
	}
	c := dumpCtx(t, pbn)
	fh, _ := os.Open(f)
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		fmt.Println(goLit(line, Parse(line, c)))
	}
}
