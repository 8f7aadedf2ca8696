package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dealcoach/dealcoach/coach"
)

func TestURLVerification(t *testing.T) {
	h := newHarness(t)
	// Slack's documented challenge.
	body := `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	code, got := h.post("/slack/events", "application/json", body)
	if code != http.StatusOK || got != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge: %d %q", code, got)
	}
}

func TestSlashCommandsCreateUpdateMoveAndClose(t *testing.T) {
	h := newHarness(t)
	code, r := h.command("U1", "C1", "new Acme 120k")
	if code != http.StatusOK || r["response_type"] != "in_channel" || !strings.Contains(fmt.Sprint(r["blocks"]), "Acme") {
		t.Fatalf("create: %d %v", code, r)
	}
	if d := h.deal(1); d.Customer != "Acme" || d.Amount != coach.Money(120_000_00) {
		t.Fatalf("created %+v", d)
	}
	h.command("U1", "C1", "#1 amount 150k")
	h.command("U1", "C1", "#1 stage 3")
	if d := h.deal(1); d.Amount != coach.Money(150_000_00) || d.Stage != "approved" {
		t.Fatalf("updated %+v", d)
	}
	h.command("U1", "C1", "#1 won")
	if d := h.deal(1); d.Status != coach.Won {
		t.Fatalf("won %+v", d)
	}
	// A private answer: an unknown deal, and a stage that does not exist.
	_, r = h.command("U1", "C1", "#99 won")
	if r["response_type"] != "ephemeral" {
		t.Fatalf("unknown deal answered %v", r)
	}
	v := h.deal(1).Version
	_, r = h.command("U1", "C1", "#1 stage nowhere")
	if r["response_type"] != "ephemeral" || h.deal(1).Version != v {
		t.Fatalf("bad stage: %v, version %d → %d", r, v, h.deal(1).Version)
	}
	// Somebody else may not change it.
	h.command("U2", "C1", "#1 amount 1")
	if h.deal(1).Version != v {
		t.Fatal("another rep changed the deal")
	}
	// Every command went through the inbox and is marked processed.
	left, err := h.db.Unprocessed(context.Background(), platform, testNow.Add(time.Hour))
	if err != nil || len(left) != 0 {
		t.Fatalf("unprocessed after handling: %v %v", left, err)
	}
}

func TestSlowCommandIsAckedThenAnsweredThroughTheResponseURL(t *testing.T) {
	h := newHarness(t)
	h.ackWithin = time.Nanosecond // every command is "slow"
	h.restart()
	code, r := h.command("U1", "C1", "new Acme 120k")
	if code != http.StatusOK || r["response_type"] != "ephemeral" || !strings.Contains(fmt.Sprint(r["text"]), "Working") {
		t.Fatalf("slow ack: %d %v", code, r)
	}
	answer := h.api.wait(t, "respond", 1)[0]
	if !strings.Contains(answer.Raw, "Acme") || h.count() != 1 {
		t.Fatalf("answer %s, %d deals", answer.Raw, h.count())
	}
	// It was recorded before the ack, and is processed now.
	deadline := time.Now().Add(5 * time.Second)
	for {
		left, err := h.db.Unprocessed(context.Background(), platform, testNow.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still unprocessed: %v", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestForgedStaleAndReplayedRequestsChangeNothing(t *testing.T) {
	h := newHarness(t)
	body := h.commandForm("U1", "C1", "new Acme 120k")
	now := time.Now().Unix()
	ts, sig := sign(body, now)
	_, badSig := sign(body+"x", now)
	staleTS, staleSig := sign(body, now-6*60)
	for name, c := range map[string][2]string{
		"no signature":    {ts, ""},
		"no timestamp":    {"", sig},
		"wrong signature": {ts, badSig},
		"stale":           {staleTS, staleSig},
		"other secret":    {ts, "v0=" + strings.Repeat("0", 64)},
	} {
		if code, _ := h.postSigned("/slack/commands", formType, body, c[0], c[1]); code != http.StatusUnauthorized {
			t.Errorf("%s: got %d, want 401", name, code)
		}
	}
	for _, path := range []string{"/slack/events", "/slack/interactions"} {
		if code, _ := h.postSigned(path, "application/json", `{"type":"event_callback"}`, ts, badSig); code != http.StatusUnauthorized {
			t.Errorf("%s forged: got %d", path, code)
		}
	}
	if n := h.count(); n != 0 {
		t.Fatalf("refused requests created %d deals", n)
	}
	// The genuine request once, then replayed as is: handled once.
	if code, _ := h.postSigned("/slack/commands", formType, body, ts, sig); code != http.StatusOK {
		t.Fatalf("genuine: %d", code)
	}
	// Seen before: acknowledged (a retry must not look like a failure),
	// and ignored.
	if code, _ := h.postSigned("/slack/commands", formType, body, ts, sig); code != http.StatusOK || h.count() != 1 {
		t.Fatalf("replay: %d, %d deals", code, h.count())
	}
	// After a restart the signatures seen are forgotten, but a change is
	// recorded with its trigger id: the same command, even signed anew,
	// applies once.
	update := h.commandForm("U1", "C1", "#1 amount 200k")
	if code, _ := h.post("/slack/commands", formType, update); code != http.StatusOK {
		t.Fatalf("update: %d", code)
	}
	v := h.deal(1).Version
	h.restart()
	code, got := h.post("/slack/commands", formType, update)
	if code != http.StatusOK || got != "" || h.deal(1).Version != v {
		t.Fatalf("re-signed duplicate: %d %q, version %d → %d", code, got, v, h.deal(1).Version)
	}
	// Oversized and malformed bodies.
	big := strings.Repeat("a", 2<<20)
	if code, _ := h.post("/slack/events", "application/json", big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: %d", code)
	}
	for _, path := range []string{"/slack/events", "/slack/interactions", "/slack/commands"} {
		if code, _ := h.post(path, "application/json", "{not json "+path); code != http.StatusBadRequest {
			t.Errorf("%s malformed: %d", path, code)
		}
	}
}

func TestMentionRepliesInThreadOnceDespiteRetries(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "C1", "new Acme 120k")
	body := eventBody("Ev0001", mention("U1", "C1", "Acme moved to shortlist", "1515449522.000016"))
	if code, _ := h.post("/slack/events", "application/json", body); code != http.StatusOK {
		t.Fatalf("event: %d", code)
	}
	// Slack retries (its documented headers), then delivers it once more.
	h.post("/slack/events", "application/json", body, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	h.post("/slack/events", "application/json", body, "X-Slack-Retry-Num", "2", "X-Slack-Retry-Reason", "http_timeout")
	posts := h.api.wait(t, "chat.postMessage", 1)
	if posts[0].Form.Get("thread_ts") != "1515449522.000016" || posts[0].Form.Get("channel") != "C1" {
		t.Fatalf("reply not in the mention's thread: %v", posts[0].Form)
	}
	if d := h.deal(1); d.Stage != "shortlist" {
		t.Fatalf("stage %q", d.Stage)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(h.api.of("chat.postMessage")); n != 1 {
		t.Fatalf("%d replies to one event", n)
	}
	if n := len(h.history(1)); n != 2 { // created, stage
		t.Fatalf("%d events, want 2", n)
	}
}

func TestDirectMessagesAndTheBotsOwnEcho(t *testing.T) {
	h := newHarness(t)
	h.post("/slack/events", "application/json", eventBody("Ev1", dm("U1", "D1", "new deal Globex North 80k", "1355517523.000005")))
	posts := h.api.wait(t, "chat.postMessage", 1)
	if posts[0].Form.Get("thread_ts") != "" || posts[0].Form.Get("channel") != "D1" {
		t.Fatalf("a DM is answered in the DM, not a thread: %v", posts[0].Form)
	}
	if h.count() != 1 {
		t.Fatal("DM did not create the deal")
	}
	// The bot's own message, an edit and a channel message are not for the core.
	echo := dm("U1", "D1", "new deal Echo 1k", "1355517524.000001")
	echo["bot_id"] = "B1"
	edit := dm("U1", "D1", "new deal Edit 1k", "1355517525.000001")
	edit["subtype"] = "message_changed"
	channel := dm("U1", "C1", "new deal Chan 1k", "1355517526.000001")
	channel["channel_type"] = "channel"
	for i, ev := range []map[string]any{echo, edit, channel} {
		if code, _ := h.post("/slack/events", "application/json", eventBody(fmt.Sprint("EvX", i), ev)); code != http.StatusOK {
			t.Fatalf("ignored event not acked: %d", code)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if h.count() != 1 || len(h.api.of("chat.postMessage")) != 1 {
		t.Fatalf("ignored events had an effect: %d deals, %d posts", h.count(), len(h.api.of("chat.postMessage")))
	}
	// A conversation across DMs: the bot asks which deal, the next DM answers.
	h.post("/slack/events", "application/json", eventBody("Ev2", dm("U1", "D1", "new deal Globex East 90k", "1355517527.000001")))
	h.post("/slack/events", "application/json", eventBody("Ev3", dm("U1", "D1", "Globex won", "1355517528.000001")))
	posts = h.api.wait(t, "chat.postMessage", 3)
	if !strings.Contains(posts[2].text(), "#2") {
		t.Fatalf("ambiguous name not asked: %s", posts[2].text())
	}
	h.post("/slack/events", "application/json", eventBody("Ev4", dm("U1", "D1", "2", "1355517529.000001")))
	h.api.wait(t, "chat.postMessage", 4)
	if h.deal(2).Status != coach.Won && h.deal(1).Status != coach.Won {
		t.Fatal("the answer to which deal was not applied")
	}
}

func TestButtonsAndMenusOnTheCard(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "C1", "new Acme 120k")
	_, r := h.command("U1", "C1", "#1")
	raw, _ := json.Marshal(r["blocks"])
	blocks := string(raw)
	for _, want := range []string{`"action_id":"menu-`, `"action_id":"form:edit:`, `"/deal #1 won"`} {
		if !strings.Contains(blocks, want) {
			t.Fatalf("card lacks %s: %s", want, blocks)
		}
	}
	// The stage menu: Slack's block_actions with a static_select.
	act := h.blockAction("U1", "C1", "1764000000.000001", map[string]any{
		"action_id": "menu-9-0", "block_id": "actions-9", "type": "static_select", "action_ts": "1548426417.840180",
		"selected_option": map[string]any{"text": map[string]any{"type": "plain_text", "text": "Shortlist"}, "value": "/deal #1 stage shortlist"},
	})
	if code, _ := h.post("/slack/interactions", formType, interactionBody(act)); code != http.StatusOK {
		t.Fatalf("menu: %d", code)
	}
	posts := h.api.wait(t, "chat.postMessage", 1)
	if posts[0].Form.Get("thread_ts") != "1764000000.000001" {
		t.Fatalf("action's reply not in the card's thread: %v", posts[0].Form)
	}
	if h.deal(1).Stage != "shortlist" {
		t.Fatalf("menu did not move the stage: %q", h.deal(1).Stage)
	}
	redraw := h.api.wait(t, "respond", 1)
	if redraw[0].JSON["replace_original"] != true || !strings.Contains(redraw[0].Raw, "Acme") {
		t.Fatalf("card not redrawn: %s", redraw[0].Raw)
	}
	// A button: won; pressed twice (Slack retried the request), applied once.
	btn := h.blockAction("U1", "C1", "1764000000.000001", map[string]any{
		"action_id": "cmd-9-5", "block_id": "actions-9", "type": "button", "value": "/deal #1 won",
		"text": map[string]any{"type": "plain_text", "text": "Won"}, "action_ts": "1548426417.840181",
	})
	h.post("/slack/interactions", formType, interactionBody(btn))
	h.post("/slack/interactions", formType, interactionBody(btn))
	h.api.wait(t, "chat.postMessage", 2)
	if h.deal(1).Status != coach.Won {
		t.Fatal("won button did not close the deal")
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(h.api.of("chat.postMessage")); n != 2 {
		t.Fatalf("%d replies, want 2", n)
	}
	// A forged button value naming someone else's deal is refused by the core.
	h.command("U2", "C1", "new Initech 50k")
	v := h.deal(2).Version
	steal := h.blockAction("U1", "C1", "1764000000.000002", map[string]any{
		"action_id": "cmd-9-5", "block_id": "actions-9", "type": "button", "value": "/deal #2 won", "action_ts": "1548426417.840182",
	})
	h.post("/slack/interactions", formType, interactionBody(steal))
	h.api.wait(t, "chat.postEphemeral", 1)
	if h.deal(2).Version != v {
		t.Fatal("a button changed someone else's deal")
	}
	// The card in a Slack Connect channel, its button pressed by a person
	// of another organisation: refused naming nothing, nothing changed.
	ext := h.blockAction("U9", "C1", "1764000000.000002", map[string]any{
		"action_id": "cmd-9-5", "block_id": "actions-9", "type": "button", "value": "/deal #2 won", "action_ts": "1548426417.840183",
	})
	ext["user"].(map[string]any)["team_id"] = "T0PARTNER"
	h.post("/slack/interactions", formType, interactionBody(ext))
	refusal := h.api.wait(t, "chat.postEphemeral", 2)[1]
	if h.deal(2).Version != v || strings.Contains(refusal.text(), "Initech") || strings.Contains(refusal.text(), "#2") ||
		!strings.Contains(refusal.text(), "organization") && !strings.Contains(refusal.text(), "组织") {
		t.Fatalf("another organisation's button: %s", refusal.text())
	}
}

func TestModalsEditAndValidate(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "C1", "new Acme 120k")
	open := h.blockAction("U1", "C1", "1764000000.000001", map[string]any{
		"action_id": "form:edit:9-3", "block_id": "actions-9", "type": "button", "value": "1", "action_ts": "1548426417.840180",
	})
	if code, _ := h.post("/slack/interactions", formType, interactionBody(open)); code != http.StatusOK {
		t.Fatalf("open: %d", code)
	}
	views := h.api.wait(t, "views.open", 1)
	view, _ := views[0].JSON["view"].(map[string]any)
	if views[0].JSON["trigger_id"] != open["trigger_id"] || view["type"] != "modal" {
		t.Fatalf("views.open: %v", views[0].JSON)
	}
	meta, _ := view["private_metadata"].(string)
	// Slack's documented view_submission, with this modal's fields.
	submit := func(values map[string]any, hash string) (int, string) {
		return h.post("/slack/interactions", formType, interactionBody(map[string]any{
			"type": "view_submission", "team": map[string]any{"id": "T0001", "domain": "example"},
			"user":       map[string]any{"id": "U1", "username": "u1", "team_id": "T0001"},
			"api_app_id": "AB1ABC1AB", "token": "9s8d9as89d8as9d8as989",
			"trigger_id": "12466734323.1395872398." + hash,
			"view": map[string]any{"id": "VNHU13V36", "type": "modal", "private_metadata": meta,
				"callback_id": view["callback_id"], "hash": hash, "state": map[string]any{"values": values}},
		}))
	}
	input := func(v string) map[string]any {
		return map[string]any{"v": map[string]any{"type": "plain_text_input", "value": v}}
	}
	v := h.deal(1).Version
	code, got := submit(map[string]any{"amount": input("lots")}, "156663117.aaaa")
	if code != http.StatusOK || !strings.Contains(got, `"response_action":"errors"`) || !strings.Contains(got, `"amount"`) {
		t.Fatalf("bad amount: %d %s", code, got)
	}
	if h.deal(1).Version != v {
		t.Fatal("a refused form changed the deal")
	}
	code, got = submit(map[string]any{
		"stage":  map[string]any{"v": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "shortlist"}}},
		"amount": input("150k"),
	}, "156663117.bbbb")
	if code != http.StatusOK || got != "" {
		t.Fatalf("good form: %d %s", code, got)
	}
	if d := h.deal(1); d.Stage != "shortlist" || d.Amount != coach.Money(150_000_00) || d.Version != v+1 {
		t.Fatalf("form applied as %+v", d)
	}
	h.api.wait(t, "chat.postMessage", 1)
}

func TestRateLimitedRepliesWaitAndKeepOrder(t *testing.T) {
	h := newHarness(t)
	h.api.mu.Lock()
	h.api.limited["chat.postMessage"] = 1
	h.api.mu.Unlock()
	for i, text := range []string{"new deal First 1k", "new deal Second 2k", "new deal Third 3k"} {
		h.post("/slack/events", "application/json", eventBody(fmt.Sprint("EvR", i), dm("U1", "D1", text, fmt.Sprintf("1355517523.00000%d", i))))
	}
	posts := h.api.wait(t, "chat.postMessage", 3)
	for i, want := range []string{"First", "Second", "Third"} {
		if !strings.Contains(posts[i].text(), want) {
			t.Fatalf("reply %d is %q, want %s: order lost", i, posts[i].text(), want)
		}
	}
}

func TestUserTextIsEscaped(t *testing.T) {
	h := newHarness(t)
	// What Slack sends when someone types "<@U999> & co" or a note with
	// "<!channel>": a typed <, > or & arrives as an entity.
	h.command("U1", "C1", "new &lt;@U999&gt; &amp; co 10k")
	if d := h.deal(1); d.Customer != "<@U999> & co" {
		t.Fatalf("the name was not read as typed: %q", d.Customer)
	}
	h.command("U1", "C1", "#1 note: &lt;!channel&gt; see &lt;https://evil.example|the contract&gt;")
	_, r := h.command("U1", "C1", "#1")
	raw, _ := json.Marshal(r)
	s := string(raw)
	for _, bad := range []string{"<!channel>", "<@U999>", "<https://evil"} {
		if strings.Contains(s, bad) {
			t.Fatalf("reply can ping or link: %s", s)
		}
	}
	for _, want := range []string{`\u0026lt;!channel\u0026gt;`, `\u0026lt;@U999\u0026gt; \u0026amp; co`} {
		if !strings.Contains(s, want) {
			t.Fatalf("%s not shown escaped: %s", want, s)
		}
	}
	// Same through a mention's reply in a thread.
	h.post("/slack/events", "application/json", eventBody("EvE", mention("U1", "C1", "show #1", "1515449522.000017")))
	post := h.api.wait(t, "chat.postMessage", 1)[0]
	if strings.Contains(post.text(), "<!channel>") || strings.Contains(post.text(), "<@U999>") {
		t.Fatalf("posted reply can ping: %s", post.text())
	}
}

func TestUsersInfoOnFirstContact(t *testing.T) {
	h := newHarness(t)
	h.api.users["U7"] = fakeUser{Name: "Wang Fang", TZ: "America/New_York", Locale: "zh-CN"}
	_, r := h.command("U7", "C1", "list")
	_, _ = h.command("U7", "C1", "list")
	if n := len(h.api.of("users.info")); n != 1 {
		t.Fatalf("users.info called %d times, want 1 (cached)", n)
	}
	p, err := h.db.PersonByName(context.Background(), "Wang Fang")
	if err != nil || p.TZ != "America/New_York" || p.PlatformID != "U7" || p.Platform != "slack" {
		t.Fatalf("person %+v %v", p, err)
	}
	// The language follows the locale when the message shows none.
	if !strings.ContainsAny(fmt.Sprint(r), "商机没有") {
		t.Fatalf("a zh-CN user was answered in English: %v", r)
	}
}

func TestEventsRecordedBeforeACrashAreHandledAtStart(t *testing.T) {
	h := newHarness(t)
	// The event was acknowledged, then the process died before handling it.
	body := eventBody("EvCrash", dm("U1", "D1", "new deal Survivor 5k", "1355517530.000001"))
	env, _ := json.Marshal(map[string]any{"kind": "event", "body": json.RawMessage(body)})
	if fresh, err := h.db.Receive(context.Background(), platform, "msg:D1:1355517530.000001", env); err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	h.restart()
	h.api.wait(t, "chat.postMessage", 1)
	if h.count() != 1 {
		t.Fatal("the recorded event was lost")
	}
	// Slack delivers it again after the restart: still once.
	h.post("/slack/events", "application/json", body, "X-Slack-Retry-Num", "1")
	h.restart()
	time.Sleep(200 * time.Millisecond)
	if h.count() != 1 || len(h.api.of("chat.postMessage")) != 1 {
		t.Fatalf("handled twice: %d deals, %d posts", h.count(), len(h.api.of("chat.postMessage")))
	}
}

func TestManifestMatchesTheAdapter(t *testing.T) {
	for _, file := range []string{"../../slack-app-manifest.yaml", "../../slack-app-manifest.socket.yaml"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Features struct {
				Commands []struct{ Command, URL string } `yaml:"slash_commands"`
			}
			OAuth struct {
				Scopes struct{ Bot []string }
			} `yaml:"oauth_config"`
			Settings struct {
				Events struct {
					URL    string   `yaml:"request_url"`
					Events []string `yaml:"bot_events"`
				} `yaml:"event_subscriptions"`
				Interactivity struct {
					Enabled bool   `yaml:"is_enabled"`
					URL     string `yaml:"request_url"`
				}
				Socket bool `yaml:"socket_mode_enabled"`
			}
		}
		if err := yaml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		socket := strings.Contains(file, "socket")
		if m.Settings.Socket != socket || len(m.Features.Commands) != 1 || m.Features.Commands[0].Command != "/deal" {
			t.Errorf("%s: socket %v, commands %v", file, m.Settings.Socket, m.Features.Commands)
		}
		if !socket && (!strings.HasSuffix(m.Features.Commands[0].URL, "/slack/commands") ||
			!strings.HasSuffix(m.Settings.Events.URL, "/slack/events") ||
			!strings.HasSuffix(m.Settings.Interactivity.URL, "/slack/interactions")) {
			t.Errorf("%s: URLs do not match the routes", file)
		}
		for _, want := range []string{"app_mentions:read", "chat:write", "commands", "im:history", "users:read"} {
			if !strings.Contains(strings.Join(m.OAuth.Scopes.Bot, " "), want) {
				t.Errorf("%s: scope %s missing", file, want)
			}
		}
		if strings.Join(m.Settings.Events.Events, " ") != "app_mention message.im" || !m.Settings.Interactivity.Enabled {
			t.Errorf("%s: events %v", file, m.Settings.Events.Events)
		}
	}
}

func (h *harness) history(id int64) []coach.Event {
	h.t.Helper()
	ev, err := h.db.History(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return ev
}
