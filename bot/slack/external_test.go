package slack

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A slash command's team_id is where the person was when they typed it;
// whose person they are is what users.info says (Slack puts no user_team
// in a command). Only that evidence refuses a command.
func TestCommandFromAnotherOrganisation(t *testing.T) {
	h := newHarness(t) // auth.test: workspace T0001
	h.api.users["U0PARTNER"] = fakeUser{Name: "Pat", Team: "T0PARTNER"}
	h.api.users["U0HOME"] = fakeUser{Name: "Rita", Team: "T0001"}
	h.api.users["U0QUIET"] = fakeUser{Name: "Sam"} // users.info names no team
	command := func(team, user, text string) string {
		t.Helper()
		form, _ := url.ParseQuery(h.commandForm(user, "C0SHARED", text))
		form.Set("team_id", team)
		code, body := h.post("/slack/commands", formType, form.Encode())
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", text, code, body)
		}
		return body
	}
	refused := func(body string) bool {
		return strings.Contains(body, "organization") || strings.Contains(body, "组织")
	}

	// A person of another organisation, from their team: refused, nothing
	// created, nothing named.
	if r := command("T0PARTNER", "U0PARTNER", "new Partnerco 10k"); !refused(r) || strings.Contains(r, "Partnerco") {
		t.Fatalf("another organisation's command: %s", r)
	}
	// Another workspace's context, but users.info says nothing of the
	// person's team: no evidence, handled as the workspace's own.
	if r := command("T0BENCH01", "U0QUIET", "new Quietco 10k"); refused(r) {
		t.Fatalf("a command refused without evidence: %s", r)
	}
	// Another workspace's context, a person of the app's workspace.
	if r := command("T0OTHER", "U0HOME", "new Homeco 10k"); refused(r) {
		t.Fatalf("the workspace's own person refused: %s", r)
	}
	if d := h.deal(1); d.Customer != "Quietco" {
		t.Fatalf("deal 1: %+v", d)
	}
	if d := h.deal(2); d.Customer != "Homeco" {
		t.Fatalf("deal 2: %+v", d)
	}
	if _, err := h.db.Deal(t.Context(), 3); err == nil {
		t.Fatal("a third deal was created")
	}
}
