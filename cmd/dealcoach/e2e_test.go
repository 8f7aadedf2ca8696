package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binary is the real dealcoach, built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dealcoach-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dealcoach")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// dealcoach runs the binary with input on stdin and a pinned clock.
func dealcoach(t *testing.T, db, input string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "DEALCOACH_DB="+db, "DEALCOACH_NOW=2026-11-24T10:00:00+08:00",
		"DEALCOACH_TZ=Asia/Shanghai", "DEALCOACH_LANG=zh", "DEALCOACH_CURRENCY=CNY", "DEALCOACH_PLAYBOOK=seven-step")
	cmd.Stdin = strings.NewReader(input)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

type exported struct {
	ID            int64   `json:"id"`
	Customer      string  `json:"customer"`
	Title         string  `json:"title"`
	Owner         string  `json:"owner"`
	Amount        float64 `json:"amount"`
	Currency      string  `json:"currency"`
	Stage         string  `json:"stage"`
	StageName     string  `json:"stage_name"`
	WinRate       int     `json:"win_rate"`
	Status        string  `json:"status"`
	NextStep      string  `json:"next_step"`
	NextStepDue   *string `json:"next_step_due"`
	ExpectedClose *string `json:"expected_close"`
	LostReason    string  `json:"lost_reason"`
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
}

// A conversation piped into "dealcoach chat", in both languages, then
// "dealcoach export": what was said is what was stored.
func TestChatThenExport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e2e.db")
	conversation := strings.Join([]string{
		"/deal new 经信银行 120万",
		"经信银行 推进到立项, 金额150万, 下一步周五拜访刘行长",
		"new deal Acme Corp 120k",
		"Acme moved to shortlist, next step: demo Friday",
		"/deal new Globex 80000",
		"Globex lost to a cheaper vendor",
		"/deal new Initech 50万",
		"Initech won",
		"how is my pipeline?",
		"经信银行现在什么情况?",
		"Acme moved to nowhere",
		"hello",
	}, "\n") + "\n"
	out, stderr, code := dealcoach(t, db, conversation, "chat", "--as", "张伟")
	if code != 0 {
		t.Fatalf("chat exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, want := range []string{"已创建 #1", "立项客户", "Created #2", "Shortlisted 50%", "Lost", "赢单", "Your pipeline", "== #1 经信银行 ==", "\"nowhere\" is not a stage"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	js, stderr, code := dealcoach(t, db, "", "export", "--format", "json")
	if code != 0 {
		t.Fatalf("export exit %d: %s", code, stderr)
	}
	var deals []exported
	if err := json.Unmarshal([]byte(js), &deals); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, js)
	}
	byName := map[string]exported{}
	for _, d := range deals {
		byName[d.Customer] = d
	}
	if len(deals) != 4 {
		t.Fatalf("exported %d deals, want 4: %s", len(deals), js)
	}
	check := func(name, stage, status string, amount float64, winRate int) {
		t.Helper()
		d := byName[name]
		if d.Stage != stage || d.Status != status || d.Amount != amount || d.WinRate != winRate || d.Owner != "张伟" || d.Currency != "CNY" {
			t.Errorf("%s exported as %+v; want stage %s status %s amount %v win rate %d", name, d, stage, status, amount, winRate)
		}
	}
	check("经信银行", "approved", "open", 1_500_000, 25)
	check("Acme Corp", "shortlist", "open", 120_000, 50)
	check("Globex", "prospect", "lost", 80_000, 0)
	check("Initech", "won", "won", 500_000, 100)
	jx := byName["经信银行"]
	if jx.NextStep != "拜访刘行长" || jx.NextStepDue == nil || *jx.NextStepDue != "2026-11-27" {
		t.Errorf("经信银行 next step = %q %v", jx.NextStep, jx.NextStepDue)
	}
	if byName["Globex"].LostReason == "" || byName["Acme Corp"].ExpectedClose != nil {
		t.Errorf("Globex reason %q, Acme close %v", byName["Globex"].LostReason, byName["Acme Corp"].ExpectedClose)
	}
	if jx.CreatedAt != "2026-11-24T02:00:00Z" {
		t.Errorf("created_at = %q, want the pinned clock in UTC", jx.CreatedAt)
	}
}

func TestBadConfigAndUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	if _, _, code := dealcoach(t, db, "", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand exit %d, want 2", code)
	}
	out, _, code := dealcoach(t, db, "", "version")
	if code != 0 || !strings.HasPrefix(out, "dealcoach ") {
		t.Errorf("version = %q, %d", out, code)
	}
	cmd := exec.Command(binary, "chat")
	cmd.Env = append(os.Environ(), "DEALCOACH_DB="+db, "DEALCOACH_TZ=Mars/Olympus", "DEALCOACH_LANG=fr")
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "DEALCOACH_TZ") || !strings.Contains(string(msg), "DEALCOACH_LANG") {
		t.Errorf("bad config: %v, %s", err, msg)
	}
	cmd = exec.Command(binary, "nudge")
	cmd.Env = append(os.Environ(), "DEALCOACH_DB="+db, "DEALCOACH_ESCALATION=5,3", "DEALCOACH_NUDGE_CAP=none")
	msg, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "DEALCOACH_ESCALATION") || !strings.Contains(string(msg), "DEALCOACH_NUDGE_CAP") {
		t.Errorf("bad schedule config: %v, %s", err, msg)
	}
}

func TestImportReportsLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "i.db")
	csv := filepath.Join(dir, "in.csv")
	os.WriteFile(csv, []byte("customer,owner,amount,stage\nAcme,Alice,1000,prospect\nGlobex,Bob,12x,prospect\n"), 0o600)
	_, stderr, code := dealcoach(t, db, "", "import", csv)
	if code == 0 || !strings.Contains(stderr, "line 3") {
		t.Fatalf("import of a bad row: exit %d, %s", code, stderr)
	}
	js, _, _ := dealcoach(t, db, "", "export")
	if strings.TrimSpace(js) != "[]" {
		t.Fatalf("a failed import left deals: %s", js)
	}
	os.WriteFile(csv, []byte("customer,owner,amount,stage\nAcme,Alice,1000,prospect\nGlobex,Bob,1200.50,shortlist\n"), 0o600)
	out, stderr, code := dealcoach(t, db, "", "import", csv)
	if code != 0 || !strings.Contains(out, "2 created") {
		t.Fatalf("import: %d %s %s", code, out, stderr)
	}
}

// A broken custom playbook is refused at start with the file, line and
// reason each test file states on its first line ("# want: …").
func TestBrokenPlaybookIsRefused(t *testing.T) {
	files, _ := filepath.Glob("../../prompts/testdata/broken-*.yaml")
	if len(files) == 0 {
		t.Fatal("no broken playbooks to try")
	}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		first, _, _ := strings.Cut(string(raw), "\n")
		want := strings.ReplaceAll(strings.TrimPrefix(first, "# want: "), "<path>", f)
		cmd := exec.Command(binary, "chat")
		cmd.Env = append(os.Environ(), "DEALCOACH_DB="+filepath.Join(t.TempDir(), "x.db"), "DEALCOACH_PLAYBOOK="+f)
		cmd.Stdin = strings.NewReader("help\n")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%s: exit %v, output %q; want it to contain %q", f, err, out, want)
		}
	}
}

// A valid custom playbook with other stages works end to end: its stages,
// its questions, export with its keys.
func TestCustomPlaybookEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "custom.db")
	conversation := "coach me right away\nnew deal Acme Corp 50k\nskip\nJane Doe\ndone\nAcme moved to trial\nshow #1\n"
	cmd := exec.Command(binary, "chat", "--as", "Alice", "--lang", "en")
	cmd.Env = append(os.Environ(), "DEALCOACH_DB="+db, "DEALCOACH_PLAYBOOK=../../prompts/testdata/custom.yaml",
		"DEALCOACH_NOW=2026-11-24T10:00:00+08:00")
	cmd.Stdin = strings.NewReader(conversation)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, want := range []string{"Stage: Lead 5%", "What problem do they want us to solve?", "Who is pushing for this inside?",
		"Noted Jane Doe as Initiator", "Lead → Trial", "Skipped Demo", "advanced without exit criteria (1 unanswered)",
		"Jane Doe · Initiator", "decision chain: Jane Doe"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	cmd = exec.Command(binary, "export", "--format", "csv")
	cmd.Env = append(os.Environ(), "DEALCOACH_DB="+db, "DEALCOACH_PLAYBOOK=../../prompts/testdata/custom.yaml")
	csv, err := cmd.Output()
	if err != nil || !strings.Contains(string(csv), ",trial,Trial,") {
		t.Fatalf("export: %v\n%s", err, csv)
	}
}

// The process stops while a coaching question is pending; the next process
// takes the next message as its answer.
func TestCoachingSurvivesProcessRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "restart.db")
	out, _, code := dealcoach(t, db, "立即辅导\n新商机 经信银行 120万\n", "chat", "--as", "张伟")
	if code != 0 || !strings.Contains(out, "第1/7问") {
		t.Fatalf("first run: %d\n%s", code, out)
	}
	out, _, code = dealcoach(t, db, "城商行的老客户都可以\n查看 #1\n", "chat", "--as", "张伟")
	if code != 0 || !strings.Contains(out, "第2/7问") || !strings.Contains(out, "城商行的老客户都可以") {
		t.Fatalf("second run: %d\n%s", code, out)
	}
}
