package prompts

import (
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

//go:embed people.yaml
var peopleYAML []byte

// Term is one word of the vocabulary: a stable key, its names, and the
// other ways reps say it.
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

// LoadPeople decodes the embedded vocabulary.
func LoadPeople() (*People, error) {
	var p People
	if err := yaml.Unmarshal(peopleYAML, &p); err != nil {
		return nil, fmt.Errorf("people.yaml: %w", err)
	}
	for _, list := range [][]Term{p.Roles, p.Relationships, p.Styles} {
		for _, t := range list {
			if t.Key == "" || t.Name.ZH == "" || t.Name.EN == "" {
				return nil, fmt.Errorf("people.yaml: term %q needs a key and names in zh and en", t.Key)
			}
		}
	}
	return &p, nil
}

// fold lower-cases s and drops spaces, underscores and hyphens.
func fold(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r == ' ' || r == '_' || r == '-' || r == '\u3000':
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		default:
			out = append(out, r)
		}
	}
	return string(out)
}
