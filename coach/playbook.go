package coach

import "fmt"

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
//
// The yaml tags are the playbook file format that package prompts decodes;
// they are plain strings and cost coach no import.
type Stage struct {
	Key       string     `yaml:"key"`
	Name      Text       `yaml:"name"`
	Aliases   []string   `yaml:"aliases"`
	WinRate   int        `yaml:"win_rate"`   // 0–100
	StaleDays int        `yaml:"stale_days"` // idle days after which a deal here is stale; 0: never
	Goal      Text       `yaml:"goal"`       // what the step from this stage must achieve
	People    []string   `yaml:"people"`     // role keys (prompts/people.yaml) to sell to
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
// a deal is qualified on. Build one with NewPlaybook, which indexes the
// stages for the rules.
type Playbook struct {
	Key     string   `yaml:"key"`
	Name    Text     `yaml:"name"`
	Factors []Factor `yaml:"factors"`
	Stages  []Stage  `yaml:"stages"`

	index map[string]int // stage key → position in Stages
}

// NewPlaybook returns a copy of the playbook data p, indexed for the rules.
func NewPlaybook(p *Playbook) (*Playbook, error) {
	if p == nil || len(p.Stages) == 0 {
		return nil, fmt.Errorf("playbook has no stages")
	}
	pb := &Playbook{Key: p.Key, Name: p.Name, Factors: p.Factors, Stages: p.Stages,
		index: make(map[string]int, len(p.Stages))}
	for i, s := range p.Stages {
		pb.index[s.Key] = i
	}
	return pb, nil
}

// Stage returns the stage with key, and whether it exists.
func (p *Playbook) Stage(key string) (Stage, bool) {
	i, ok := p.index[key]
	if !ok {
		return Stage{}, false
	}
	return p.Stages[i], true
}

// stage is Stage without the copy: nil when unknown.
func (p *Playbook) stage(key string) *Stage {
	i, ok := p.index[key]
	if !ok {
		return nil
	}
	return &p.Stages[i]
}

// Index is the 0-based position of a stage key, -1 when unknown.
func (p *Playbook) Index(key string) int {
	if i, ok := p.index[key]; ok {
		return i
	}
	return -1
}

// First is the stage a new deal starts in.
func (p *Playbook) First() Stage { return p.Stages[0] }

// Final is the stage of a won deal: the last one.
func (p *Playbook) Final() Stage { return p.Stages[len(p.Stages)-1] }

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

// WinRate is the effective win rate of a deal: 100 when won, 0 when lost,
// else its stage's.
func (p *Playbook) WinRate(d Deal) int {
	switch d.Status {
	case Won:
		return 100
	case Lost:
		return 0
	}
	s, _ := p.Stage(d.Stage)
	return s.WinRate
}
