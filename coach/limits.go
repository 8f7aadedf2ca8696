package coach

import "unicode/utf8"

// Caps on what people type, in characters. A message is capped at 4000
// bytes before it is read (err.too_long), but forms, buttons and imports
// reach the store without the chat's reader: these hold for every path.
// Generous for what each field is for, they keep one person's paste from
// swelling every list, card and digest it appears in.
const (
	MaxNameChars = 200  // a customer, a deal's title, a contact's name
	MaxTextChars = 2000 // a next step, a lost reason, a note, an answer
)

// CheckDealText refuses a deal whose texts are over their caps, with
// err.text_too_long naming the start of the text.
func CheckDealText(d Deal) *Error {
	for _, f := range []struct {
		s   string
		max int
	}{{d.Customer, MaxNameChars}, {d.Title, MaxNameChars}, {d.NextStep, MaxTextChars}, {d.LostReason, MaxTextChars}} {
		if err := CheckText(f.s, f.max); err != nil {
			return err
		}
	}
	return nil
}

// CheckText refuses s when it has more than max characters.
func CheckText(s string, max int) *Error {
	if len(s) <= max || utf8.RuneCountInString(s) <= max { // bytes ≥ characters: most texts stop at the first test
		return nil
	}
	start := []rune(s)[:20]
	return Errorf(Invalid, "err.text_too_long", "start", string(start), "max", max, "length", utf8.RuneCountInString(s))
}
