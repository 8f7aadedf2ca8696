// Package prompts holds dealcoach's embedded data: the built-in playbooks and
// the message catalogues in zh-CN and en. It decodes the playbooks into the
// domain's types (coach.Playbook); coach never imports it.
package prompts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/dealcoach/dealcoach/coach"
)

//go:embed playbooks/*.yaml
var playbookFS embed.FS

// maxPlaybookSize bounds a playbook file: a real one is a few dozen KiB, and
// the whole file is held in memory twice while it is decoded.
const maxPlaybookSize = 1 << 20

// BuiltinPlaybooks names the embedded playbooks.
func BuiltinPlaybooks() []string { return []string{"seven-step", "project-8"} }

// LoadPlaybook loads a built-in playbook by key, or a YAML file by path,
// ready for the rules. A file over 1 MiB is refused.
func LoadPlaybook(nameOrPath string) (*coach.Playbook, error) {
	for _, k := range BuiltinPlaybooks() {
		if k == nameOrPath {
			b, err := playbookFS.ReadFile("playbooks/" + k + ".yaml")
			if err != nil {
				return nil, fmt.Errorf("read built-in playbook %s: %w", k, err)
			}
			return ParsePlaybook(k+".yaml", b)
		}
	}
	b, err := readFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("playbook %q is neither built in (%s) nor a readable file: %w",
			nameOrPath, strings.Join(BuiltinPlaybooks(), ", "), err)
	}
	return ParsePlaybook(nameOrPath, b)
}

// readFile reads at most one byte more than maxPlaybookSize, so that
// ParsePlaybook can refuse an oversized file without reading all of it.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxPlaybookSize+1))
}

// ParsePlaybook decodes, validates and indexes a playbook. Errors read
// "file: line N: reason".
func ParsePlaybook(file string, b []byte) (*coach.Playbook, error) {
	if len(b) > maxPlaybookSize {
		return nil, fmt.Errorf("%s: the playbook is larger than 1 MiB", file)
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: line 1: the playbook is empty", file)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var p coach.Playbook
	dec = yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	doc := pos{line: 1}
	if len(root.Content) > 0 {
		doc = pos{n: root.Content[0], line: root.Content[0].Line}
	}
	setLines(&p, doc)
	roles, err := roleKeys()
	if err != nil {
		return nil, err
	}
	if err := validate(&p, doc, roles); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return coach.NewPlaybook(&p)
}

// setLines records where each stage, question and factor starts.
func setLines(p *coach.Playbook, doc pos) {
	for i := range p.Factors {
		p.Factors[i].Line = doc.key("factors").at(i).line
	}
	for i := range p.Stages {
		s := doc.key("stages").at(i)
		p.Stages[i].Line = s.line
		for j := range p.Stages[i].Questions {
			p.Stages[i].Questions[j].Line = s.key("questions").at(j).line
		}
	}
}

// pos is a place in the YAML tree. Where the tree has no node (a field left
// out), it keeps the line of the nearest enclosing node.
type pos struct {
	n    *yaml.Node
	line int
}

// key moves to the value of key in a mapping.
func (p pos) key(k string) pos {
	if p.n != nil && p.n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(p.n.Content); i += 2 {
			if p.n.Content[i].Value == k {
				v := p.n.Content[i+1]
				return pos{n: v, line: v.Line}
			}
		}
	}
	return pos{line: p.line}
}

// at moves to item i of a sequence.
func (p pos) at(i int) pos {
	if p.n != nil && p.n.Kind == yaml.SequenceNode && i < len(p.n.Content) {
		v := p.n.Content[i]
		return pos{n: v, line: v.Line}
	}
	return pos{line: p.line}
}

// roleKeys lists the role keys of people.yaml, in order.
func roleKeys() ([]string, error) {
	people, err := LoadPeople()
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(people.Roles))
	for i, r := range people.Roles {
		keys[i] = r.Key
	}
	return keys, nil
}

// badKey reports whether k cannot serve as a key: empty, or with characters
// that break the commands and exports that quote it.
func badKey(k string) bool { return k == "" || strings.ContainsAny(k, " \t\n#,") }

// complete reports a text given in both languages.
func complete(t coach.Text) bool { return t.ZH != "" && t.EN != "" }

// half reports a text given in one language only.
func half(t coach.Text) bool { return (t.ZH == "") != (t.EN == "") }

func validate(p *coach.Playbook, doc pos, roles []string) error {
	switch {
	case p.Key == "":
		return fmt.Errorf("line %d: playbook has no key", doc.key("key").line)
	case badKey(p.Key):
		return fmt.Errorf("line %d: playbook key %q must be one word", doc.key("key").line, p.Key)
	case !complete(p.Name):
		return fmt.Errorf("line %d: playbook %s needs a name in zh and en", doc.key("name").line, p.Key)
	case len(p.Stages) < 2:
		return fmt.Errorf("line %d: playbook %s needs at least two stages", doc.key("stages").line, p.Key)
	}
	if err := validateFactors(p, doc.key("factors")); err != nil {
		return err
	}
	if err := validateStages(p, doc.key("stages")); err != nil {
		return err
	}
	seen := map[string]int{} // question key → line
	for i, s := range p.Stages {
		at := doc.key("stages").at(i)
		if err := validateCoaching(s, at, roles); err != nil {
			return err
		}
		for j, q := range s.Questions {
			if err := validateQuestion(p, s, q, at.key("questions").at(j), roles, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateStages checks what makes a stage a stage: key, names, win rate,
// and that no two stages answer to the same name.
func validateStages(p *coach.Playbook, at pos) error {
	seen := map[string]int{}
	names := map[string]string{} // folded name → stage key
	prev := -1
	for i, s := range p.Stages {
		switch {
		case badKey(s.Key):
			return fmt.Errorf("line %d: stage %d: key %q must be a non-empty word", s.Line, i+1, s.Key)
		case seen[s.Key] != 0:
			return fmt.Errorf("line %d: stage key %q already used on line %d", s.Line, s.Key, seen[s.Key])
		case !complete(s.Name):
			return fmt.Errorf("line %d: stage %s needs a name in zh and en", s.Line, s.Key)
		case s.WinRate < 0 || s.WinRate > 100:
			return fmt.Errorf("line %d: stage %s: win_rate %d is not within 0–100", s.Line, s.Key, s.WinRate)
		case s.WinRate < prev:
			return fmt.Errorf("line %d: stage %s: win_rate %d is lower than the stage before (%d)", s.Line, s.Key, s.WinRate, prev)
		}
		seen[s.Key] = max(s.Line, 1)
		prev = s.WinRate
		if err := claimNames(names, "stage", s.Key, s.Name, s.Aliases, at.at(i)); err != nil {
			return err
		}
	}
	return nil
}

// claimNames records every way to name an item (key, names, aliases) and
// refuses one that already names another item of the same kind: a rep who
// types it could mean either.
func claimNames(names map[string]string, kind, key string, name coach.Text, aliases []string, at pos) error {
	all := append([]string{key, name.ZH, name.EN}, aliases...)
	for i, a := range all {
		f := fold(a)
		if f == "" {
			if i >= 3 {
				return fmt.Errorf("line %d: %s %s: empty alias", at.key("aliases").at(i-3).line, kind, key)
			}
			continue
		}
		if other, ok := names[f]; ok && other != key {
			line := at.line
			if i >= 3 {
				line = at.key("aliases").at(i - 3).line
			}
			return fmt.Errorf("line %d: %s %s: %q already names %s %s", line, kind, key, a, kind, other)
		}
		names[f] = key
	}
	return nil
}

// validateFactors checks the factors. They are optional (a custom playbook
// may skip 8C1F0W); each needs a unique key and names in zh and en. Its
// question is optional too (the walk can ask by name), but not half-given.
func validateFactors(p *coach.Playbook, at pos) error {
	seen := map[string]int{}
	names := map[string]string{}
	for i, f := range p.Factors {
		switch {
		case badKey(f.Key):
			return fmt.Errorf("line %d: factor %d: key %q must be a non-empty word", f.Line, i+1, f.Key)
		case seen[f.Key] != 0:
			return fmt.Errorf("line %d: factor key %q already used on line %d", f.Line, f.Key, seen[f.Key])
		case !complete(f.Name):
			return fmt.Errorf("line %d: factor %s needs a name in zh and en", f.Line, f.Key)
		case half(f.Question):
			return fmt.Errorf("line %d: factor %s: question needs zh and en", at.at(i).key("question").line, f.Key)
		}
		seen[f.Key] = max(f.Line, 1)
		if err := claimNames(names, "factor", f.Key, f.Name, f.Aliases, at.at(i)); err != nil {
			return err
		}
	}
	return nil
}

// validateCoaching checks a stage's coaching: stale days, people, goal,
// exit and tips. All are optional; a text given must be in both languages.
func validateCoaching(s coach.Stage, at pos, roles []string) error {
	if s.StaleDays < 0 {
		return fmt.Errorf("line %d: stage %s: stale_days %d is negative", at.key("stale_days").line, s.Key, s.StaleDays)
	}
	for i, r := range s.People {
		if !slices.Contains(roles, r) {
			return fmt.Errorf("line %d: stage %s: people: unknown role %q (roles: %s)",
				at.key("people").at(i).line, s.Key, r, strings.Join(roles, ", "))
		}
	}
	if half(s.Goal) {
		return fmt.Errorf("line %d: stage %s: goal needs zh and en", at.key("goal").line, s.Key)
	}
	if half(s.Exit) {
		return fmt.Errorf("line %d: stage %s: exit needs zh and en", at.key("exit").line, s.Key)
	}
	for i, t := range s.Tips {
		if !complete(t) {
			return fmt.Errorf("line %d: stage %s: tip %d needs zh and en", at.key("tips").at(i).line, s.Key, i+1)
		}
	}
	return nil
}

// validateQuestion checks one push question; seen holds the line of every
// question key met so far in the playbook.
func validateQuestion(p *coach.Playbook, s coach.Stage, q coach.Question, at pos, roles []string, seen map[string]int) error {
	switch {
	case badKey(q.Key):
		return fmt.Errorf("line %d: stage %s: question key %q must be a non-empty word", q.Line, s.Key, q.Key)
	case seen[q.Key] != 0:
		return fmt.Errorf("line %d: question key %q already used on line %d", q.Line, q.Key, seen[q.Key])
	case !complete(q.Text):
		return fmt.Errorf("line %d: question %s needs text in zh and en", q.Line, q.Key)
	}
	seen[q.Key] = max(q.Line, 1)
	if q.Factor != "" {
		if _, ok := p.Factor(q.Factor); !ok {
			return fmt.Errorf("line %d: question %s: unknown factor %q (%s)",
				at.key("factor").line, q.Key, q.Factor, factorList(p))
		}
	}
	if q.Role != "" && !slices.Contains(roles, q.Role) {
		return fmt.Errorf("line %d: question %s: unknown role %q (roles: %s)",
			at.key("role").line, q.Key, q.Role, strings.Join(roles, ", "))
	}
	return nil
}

// factorList names the factors for an error message.
func factorList(p *coach.Playbook) string {
	if len(p.Factors) == 0 {
		return "the playbook defines no factors"
	}
	keys := make([]string, len(p.Factors))
	for i, f := range p.Factors {
		keys[i] = f.Key
	}
	return "factors: " + strings.Join(keys, ", ")
}
