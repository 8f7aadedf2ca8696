package console

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/coach"
)

func TestMentions(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/deal team add @小刘", "/deal team add <@小刘|小刘>"},
		{"/deal team add @bob @carol", "/deal team add <@bob|bob> <@carol|carol>"},
		{"/deal team add @小刘，@小王、@李娜", "/deal team add <@小刘|小刘>，<@小王|小王>、<@李娜|李娜>"},
		{"pipeline @bob?", "pipeline <@bob|bob>?"},
		{"@ alone and mail bob@acme.com", "@ alone and mail bob@acme.com"},
		{"no mention", "no mention"},
	} {
		if got := Mentions(tt.in); got != tt.want {
			t.Errorf("Mentions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTerminalMentionsNameOrCreatePeople: in dealcoach chat, "/deal team
// add @小刘" adds 小刘 (created on first mention, as on a platform), and a
// second mention finds the same person; in both languages.
func TestTerminalMentionsNameOrCreatePeople(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC) }
	core := bottest.Open(t, filepath.Join(t.TempDir(), "c.db"), now, "zh")
	defer core.DB.Close()
	ctx := context.Background()
	run := func(as, lines string) string {
		t.Helper()
		var out strings.Builder
		c := &Console{Handler: core.Bot, As: as, Now: now}
		if err := c.Run(ctx, strings.NewReader(lines), &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	for _, tt := range []struct {
		as, hello, team, add, want, again string
	}{
		{"陈经理", "你好", "华东", "/deal team add @小刘", "已把 小刘 加入 华东", "/deal team manager @小刘"},
		{"Max", "hello", "East", "/deal team add @bob", "Added bob to East", "/deal team manager @bob"},
	} {
		run(tt.as, tt.hello+"\n")
		p, err := core.DB.EnsurePerson(ctx, coach.Person{Platform: "console", PlatformID: tt.as})
		if err != nil {
			t.Fatal(err)
		}
		p.Role = coach.Manager
		if err := core.DB.UpdatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		out := run(tt.as, "/deal team new "+tt.team+"\n"+tt.add+"\n"+tt.again+"\n")
		if !strings.Contains(out, tt.want) {
			t.Errorf("%s: %s", tt.as, out)
		}
		people, err := core.DB.People(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, q := range people {
			if q.Platform == "console" && q.PlatformID == strings.TrimPrefix(strings.Fields(tt.add)[3], "@") {
				n++
				if q.TeamID != p.TeamID && q.TeamID == 0 || q.Role != coach.Manager {
					t.Errorf("%s: mentioned person %+v", tt.as, q)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d people for the mention, want 1", tt.as, n)
		}
	}
}
