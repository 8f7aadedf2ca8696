package bot

import (
	"context"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// contact adds or changes a person of the deal's decision chain.
func (b *Bot) contact(ctx context.Context, t *turn, d coach.Deal, cmd parse.Command) (Reply, error) {
	if cmd.Contact == nil || cmd.Contact.Name == "" {
		return Reply{}, coach.Errorf(coach.Invalid, "err.contact", "text", t.msg.Text)
	}
	if !t.person.CanEdit(d) {
		return Reply{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
	}
	c, err := t.st.SaveContact(ctx, coach.Contact{DealID: d.ID, Name: cmd.Contact.Name, Role: cmd.Contact.Role,
		Relationship: cmd.Contact.Relationship, Style: cmd.Contact.Style}, t.person.ID)
	if err != nil {
		return Reply{}, err
	}
	r := textReply(t.lang, b.text(t.lang, "contact.saved", "ref", ref(d), "contact", b.contactLine(t.lang, c)))
	r.DealID = d.ID
	return r, nil
}

// contactLine is "涂主任 · 需求发起者 · 互动 · 老虎".
func (b *Bot) contactLine(lang string, c coach.Contact) string {
	s := c.Name
	for _, part := range []string{b.roleName(lang, c.Role), b.termName(lang, b.cfg.People.Relationships, c.Relationship),
		b.termName(lang, b.cfg.People.Styles, c.Style)} {
		if part != "" {
			s += " · " + part
		}
	}
	return s
}
