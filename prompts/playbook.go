// Package prompts holds dealcoach's embedded data: the built-in playbooks and
// the message catalogues in zh-CN and en.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed playbooks/*.yaml
var playbookFS embed.FS

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

// BuiltinPlaybooks names the embedded playbooks.
func BuiltinPlaybooks() []string { return []string{"seven-step", "project-8"} }

// LoadPlaybook loads a built-in playbook by key, or a YAML file by path.
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
	b, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("playbook %q is neither built in (%s) nor a readable file: %w",
			nameOrPath, strings.Join(BuiltinPlaybooks(), ", "), err)
	}
	return ParsePlaybook(nameOrPath, b)
}

// ParsePlaybook decodes and validates a playbook. Errors name the file and line.
func ParsePlaybook(file string, b []byte) (*Playbook, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var p Playbook
	dec = yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for i, n := range stageNodes(&root) {
		if i < len(p.Stages) {
			p.Stages[i].Line = n.Line
		}
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &p, nil
}

func stageNodes(root *yaml.Node) []*yaml.Node {
	if len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "stages" {
			return m.Content[i+1].Content
		}
	}
	return nil
}

func (p *Playbook) validate() error {
	if p.Key == "" {
		return fmt.Errorf("line 1: playbook has no key")
	}
	if len(p.Stages) < 2 {
		return fmt.Errorf("playbook %s needs at least two stages", p.Key)
	}
	seen := map[string]int{}
	prev := -1
	for i, s := range p.Stages {
		switch {
		case s.Key == "" || strings.ContainsAny(s.Key, " \t#,"):
			return fmt.Errorf("line %d: stage %d: key %q must be a non-empty word", s.Line, i+1, s.Key)
		case seen[s.Key] != 0:
			return fmt.Errorf("line %d: stage key %q already used on line %d", s.Line, s.Key, seen[s.Key])
		case s.Name.ZH == "" || s.Name.EN == "":
			return fmt.Errorf("line %d: stage %s needs a name in zh and en", s.Line, s.Key)
		case s.WinRate < 0 || s.WinRate > 100:
			return fmt.Errorf("line %d: stage %s: win_rate %d is not within 0–100", s.Line, s.Key, s.WinRate)
		case s.WinRate < prev:
			return fmt.Errorf("line %d: stage %s: win_rate %d is lower than the stage before (%d)", s.Line, s.Key, s.WinRate, prev)
		}
		seen[s.Key] = max(s.Line, 1)
		prev = s.WinRate
	}
	return nil
}
