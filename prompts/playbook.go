// Package prompts holds dealcoach's embedded data: the built-in playbooks and
// the message catalogues in zh-CN and en.
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
)

//go:embed playbooks/*.yaml
var playbookFS embed.FS

// maxPlaybookSize bounds a playbook file: a real one is a few dozen KiB, and
// the whole file is held in memory twice while it is decoded.
const maxPlaybookSize = 1 << 20

// Text is a string in both languages.
type Text struct {
	ZH string `yaml:"zh"`
	EN string `yaml:"en"`
}

// In returns the text in lang ("zh" or "en"), falling back to the other.
func (t Text) In(lang string) string {
	if lang == "zh" && t.ZH != "" || t.EN == "" {
		return t.ZH
	}
	return t.EN
}

// Stage is one status a deal can reach in a playbook, with the coaching
// that pushes a deal from it to the next.
type Stage struct {
	Key       string     `yaml:"key"`
	Name      Text       `yaml:"name"`
	Aliases   []string   `yaml:"aliases"`
	WinRate   int        `yaml:"win_rate"`   // 0–100
	StaleDays int        `yaml:"stale_days"` // idle days after which a deal here is stale; 0: never
	Goal      Text       `yaml:"goal"`       // what the step from this stage must achieve
	People    []string   `yaml:"people"`     // role keys (people.yaml) to sell to
	Questions []Question `yaml:"questions"`  // push questions, asked in order
	Tips      []Text     `yaml:"tips"`       // actions and winning strategies, short
	Exit      Text       `yaml:"exit"`       // exit criteria: when the deal may move on
	Line      int        `yaml:"-"`          // line in the source file, for errors
}

// Question is a push question of a stage.
type Question struct {
	Key      string `yaml:"key"` // stable, unique in the playbook: answers are stored under it
	Text     Text   `yaml:"text"`
	Required bool   `yaml:"required"` // an exit criterion: moving on without it is flagged
	Factor   string `yaml:"factor"`   // optional: the 8C1F0W factor an answer informs
	Role     string `yaml:"role"`     // optional: the answer names a contact in this role
	Line     int    `yaml:"-"`
}

// Factor is one of the nine key factors of 8C1F0W qualification.
type Factor struct {
	Key      string   `yaml:"key"`
	Name     Text     `yaml:"name"`
	Aliases  []string `yaml:"aliases"`
	Question Text     `yaml:"question"` // how the guided walk asks about it
	Line     int      `yaml:"-"`
}

// Playbook is a sales method: its stages in funnel order and the factors
// a deal is qualified on.
type Playbook struct {
	Key     string   `yaml:"key"`
	Name    Text     `yaml:"name"`
	Factors []Factor `yaml:"factors"`
	Stages  []Stage  `yaml:"stages"`
}

// Question returns the question with key and the stage that asks it.
func (p *Playbook) Question(key string) (Question, Stage, bool) {
	for _, s := range p.Stages {
		for _, q := range s.Questions {
			if q.Key == key {
				return q, s, true
			}
		}
	}
	return Question{}, Stage{}, false
}

// Factor returns the factor with key.
func (p *Playbook) Factor(key string) (Factor, bool) {
	for _, f := range p.Factors {
		if f.Key == key {
			return f, true
		}
	}
	return Factor{}, false
}

// BuiltinPlaybooks names the embedded playbooks.
func BuiltinPlaybooks() []string { return []string{"seven-step", "project-8"} }

// LoadPlaybook loads a built-in playbook by key, or a YAML file by path.
// A file over 1 MiB is refused.
func LoadPlaybook(nameOrPath string) (*Playbook, error) {
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

// ParsePlaybook decodes and validates a playbook. Errors read
// "file: line N: reason".
func ParsePlaybook(file string, b []byte) (*Playbook, error) {
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
	var p Playbook
	dec = yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	doc := pos{line: 1}
	if len(root.Content) > 0 {
		doc = pos{n: root.Content[0], line: root.Content[0].Line}
	}
	p.setLines(doc)
	roles, err := roleKeys()
	if err != nil {
		return nil, err
	}
	if err := p.validate(doc, roles); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &p, nil
}

// setLines records where each stage, question and factor starts.
func (p *Playbook) setLines(doc pos) {
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

func (t Text) complete() bool { return t.ZH != "" && t.EN != "" }

// half reports a text given in one language only.
func (t Text) half() bool { return (t.ZH == "") != (t.EN == "") }

func (p *Playbook) validate(doc pos, roles []string) error {
	switch {
	case p.Key == "":
		return fmt.Errorf("line %d: playbook has no key", doc.key("key").line)
	case badKey(p.Key):
		return fmt.Errorf("line %d: playbook key %q must be one word", doc.key("key").line, p.Key)
	case !p.Name.complete():
		return fmt.Errorf("line %d: playbook %s needs a name in zh and en", doc.key("name").line, p.Key)
	case len(p.Stages) < 2:
		return fmt.Errorf("line %d: playbook %s needs at least two stages", doc.key("stages").line, p.Key)
	}
	if err := p.validateFactors(doc.key("factors")); err != nil {
		return err
	}
	if err := p.validateStages(doc.key("stages")); err != nil {
		return err
	}
	seen := map[string]int{} // question key → line
	for i, s := range p.Stages {
		at := doc.key("stages").at(i)
		if err := validateCoaching(s, at, roles); err != nil {
			return err
		}
		for j, q := range s.Questions {
			if err := p.validateQuestion(s, q, at.key("questions").at(j), roles, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateStages checks what makes a stage a stage: key, names, win rate,
// and that no two stages answer to the same name.
func (p *Playbook) validateStages(at pos) error {
	seen := map[string]int{}
	names := map[string]string{} // folded name → stage key
	prev := -1
	for i, s := range p.Stages {
		switch {
		case badKey(s.Key):
			return fmt.Errorf("line %d: stage %d: key %q must be a non-empty word", s.Line, i+1, s.Key)
		case seen[s.Key] != 0:
			return fmt.Errorf("line %d: stage key %q already used on line %d", s.Line, s.Key, seen[s.Key])
		case !s.Name.complete():
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
func claimNames(names map[string]string, kind, key string, name Text, aliases []string, at pos) error {
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
func (p *Playbook) validateFactors(at pos) error {
	seen := map[string]int{}
	names := map[string]string{}
	for i, f := range p.Factors {
		switch {
		case badKey(f.Key):
			return fmt.Errorf("line %d: factor %d: key %q must be a non-empty word", f.Line, i+1, f.Key)
		case seen[f.Key] != 0:
			return fmt.Errorf("line %d: factor key %q already used on line %d", f.Line, f.Key, seen[f.Key])
		case !f.Name.complete():
			return fmt.Errorf("line %d: factor %s needs a name in zh and en", f.Line, f.Key)
		case f.Question.half():
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
func validateCoaching(s Stage, at pos, roles []string) error {
	if s.StaleDays < 0 {
		return fmt.Errorf("line %d: stage %s: stale_days %d is negative", at.key("stale_days").line, s.Key, s.StaleDays)
	}
	for i, r := range s.People {
		if !slices.Contains(roles, r) {
			return fmt.Errorf("line %d: stage %s: people: unknown role %q (roles: %s)",
				at.key("people").at(i).line, s.Key, r, strings.Join(roles, ", "))
		}
	}
	if s.Goal.half() {
		return fmt.Errorf("line %d: stage %s: goal needs zh and en", at.key("goal").line, s.Key)
	}
	if s.Exit.half() {
		return fmt.Errorf("line %d: stage %s: exit needs zh and en", at.key("exit").line, s.Key)
	}
	for i, t := range s.Tips {
		if !t.complete() {
			return fmt.Errorf("line %d: stage %s: tip %d needs zh and en", at.key("tips").at(i).line, s.Key, i+1)
		}
	}
	return nil
}

// validateQuestion checks one push question; seen holds the line of every
// question key met so far in the playbook.
func (p *Playbook) validateQuestion(s Stage, q Question, at pos, roles []string, seen map[string]int) error {
	switch {
	case badKey(q.Key):
		return fmt.Errorf("line %d: stage %s: question key %q must be a non-empty word", q.Line, s.Key, q.Key)
	case seen[q.Key] != 0:
		return fmt.Errorf("line %d: question key %q already used on line %d", q.Line, q.Key, seen[q.Key])
	case !q.Text.complete():
		return fmt.Errorf("line %d: question %s needs text in zh and en", q.Line, q.Key)
	}
	seen[q.Key] = max(q.Line, 1)
	if q.Factor != "" {
		if _, ok := p.Factor(q.Factor); !ok {
			return fmt.Errorf("line %d: question %s: unknown factor %q (%s)",
				at.key("factor").line, q.Key, q.Factor, p.factorList())
		}
	}
	if q.Role != "" && !slices.Contains(roles, q.Role) {
		return fmt.Errorf("line %d: question %s: unknown role %q (roles: %s)",
			at.key("role").line, q.Key, q.Role, strings.Join(roles, ", "))
	}
	return nil
}

// factorList names the factors for an error message.
func (p *Playbook) factorList() string {
	if len(p.Factors) == 0 {
		return "the playbook defines no factors"
	}
	keys := make([]string, len(p.Factors))
	for i, f := range p.Factors {
		keys[i] = f.Key
	}
	return "factors: " + strings.Join(keys, ", ")
}
