package coach

import "time"

// AnswerStatus says whether a push question was answered or skipped.
type AnswerStatus string

// Answer statuses.
const (
	Answered AnswerStatus = "answered"
	Skipped  AnswerStatus = "skipped"
)

// Answer is a rep's answer to a push question on a deal.
type Answer struct {
	DealID   int64
	Question string // the question's key in the playbook
	Stage    string // the stage the deal was in when it was answered
	Status   AnswerStatus
	Text     string
	Person   string // who answered (display name, filled by reads)
	At       time.Time
}

// Mark is a qualification factor's state: Clear (in our favour), Fuzzy (not
// yet known) or Warning (known and against us).
type Mark string

// The marks of 8C1F0W.
const (
	Clear   Mark = "C"
	Fuzzy   Mark = "F"
	Warning Mark = "W"
)

// Contact is a person on the customer's side of a deal: their role in the
// purchase, how close we are, and their communication style (keys from
// prompts/people.yaml; "" when unknown).
type Contact struct {
	ID           int64
	DealID       int64
	Name         string
	Role         string
	Relationship string
	Style        string
}

// Term is one word of the decision chain's vocabulary: a stable key, its
// names, and the other ways reps say it.
type Term struct {
	Key     string   `yaml:"key"`
	Name    Text     `yaml:"name"`
	Aliases []string `yaml:"aliases"`
}

// People is the vocabulary of the decision chain: the roles people play in
// a purchase, the stages of our relationship with them (in order, coolest
// first), and their communication styles.
type People struct {
	Roles         []Term `yaml:"roles"`
	Relationships []Term `yaml:"relationships"`
	Styles        []Term `yaml:"styles"`
}
