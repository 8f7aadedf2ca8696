package lark

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/bot"
)

// Action is what a card callback asks for.
type Action struct {
	Command string // a command line to run as if typed ("/deal #12 won")
	Form    string // a form to open (button with Form) or that was submitted (with Values)
	DealID  int64
	Values  map[string]string // a submitted form's values by field key (dates as YYYY-MM-DD)
	Submit  bool              // Values come from a form submission
	Thread  string            // the conversation the card answers ("" for the chat's); see inConversation
}

// maxCommand bounds a command read back: ours render far shorter.
const maxCommand = 4096

// ReadAction reads a card.action.trigger callback's action: its value
// map (the callback value of the button, menu or submit button), the
// option chosen in a menu (select_static), and the form's values
// (form_value, by field name; a date picker's "2024-04-01 +0800" is read
// as "2024-04-01": form-container doc). A value this package did not
// write is an error.
func ReadAction(value map[string]any, option string, formValue map[string]any) (Action, error) {
	thread, err := readThread(value["thread"])
	if err != nil {
		return Action{}, err
	}
	a, err := readAction(value, option, formValue)
	a.Thread = thread
	return a, err
}

// maxThread bounds a thread id read back: Lark's are about 20 characters.
const maxThread = 128

func readThread(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok || len(s) > maxThread || !utf8.ValidString(s) {
		return "", fmt.Errorf("lark card action: unreadable thread %v", v)
	}
	return s, nil
}

func readAction(value map[string]any, option string, formValue map[string]any) (Action, error) {
	switch {
	case value["menu"] != nil:
		if value["menu"] != true {
			return Action{}, fmt.Errorf("lark card action: menu is %v", value["menu"])
		}
		cmd, err := readCommand(option)
		return Action{Command: cmd}, err
	case value["form"] != nil:
		return readForm(value, formValue)
	case value["cmd"] != nil:
		s, ok := value["cmd"].(string)
		if !ok {
			return Action{}, fmt.Errorf("lark card action: cmd is a %T", value["cmd"])
		}
		cmd, err := readCommand(s)
		return Action{Command: cmd}, err
	}
	return Action{}, errors.New("lark card action: its value has no cmd, menu or form")
}

func readCommand(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("lark card action: empty command")
	case len(s) > maxCommand || !utf8.ValidString(s):
		return "", fmt.Errorf("lark card action: unreadable command of %d bytes", len(s))
	}
	return s, nil
}

func readForm(value, formValue map[string]any) (Action, error) {
	id, _ := value["form"].(string)
	if id != bot.FormEdit && id != bot.FormNext && id != bot.FormCoach {
		return Action{}, fmt.Errorf("lark card action: unknown form %v", value["form"])
	}
	deal, err := readDealID(value["deal"])
	if err != nil {
		return Action{}, err
	}
	a := Action{Form: id, DealID: deal}
	if formValue == nil && value["submit"] != true {
		return a, nil // a button opening the form
	}
	a.Submit, a.Values = true, make(map[string]string, len(formValue))
	for k, v := range formValue {
		if a.Values[k], err = formString(v); err != nil {
			return Action{}, fmt.Errorf("lark card action: form %s field %q: %w", id, k, err)
		}
	}
	return a, nil
}

// readDealID reads a deal id as JSON brings it: a number (float64, or
// json.Number when decoded with UseNumber), or its digits.
func readDealID(v any) (int64, error) {
	var n int64
	var err error
	switch v := v.(type) {
	case float64:
		if v < 1 || v > 1<<53 || v != math.Trunc(v) {
			return 0, fmt.Errorf("lark card action: deal %v", v)
		}
		n = int64(v)
	case json.Number:
		n, err = v.Int64()
	case string:
		n, err = strconv.ParseInt(v, 10, 64)
	case int64:
		n = v
	case int:
		n = int64(v)
	default:
		return 0, fmt.Errorf("lark card action: deal is a %T", v)
	}
	if err != nil || n < 1 {
		return 0, fmt.Errorf("lark card action: deal %v", v)
	}
	return n, nil
}

// formString is a submitted value as text.
func formString(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		// A date picker sends its date with the zone: "2024-04-01 +0800".
		if d, zone, ok := strings.Cut(v, " "); ok && isDate(d) && len(zone) == 5 &&
			(zone[0] == '+' || zone[0] == '-') && strings.Trim(zone[1:], "0123456789") == "" {
			return d, nil
		}
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case json.Number:
		return v.String(), nil
	}
	return "", fmt.Errorf("a %T", v)
}
