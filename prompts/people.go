package prompts

import (
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/dealcoach/dealcoach/coach"
)

//go:embed people.yaml
var peopleYAML []byte

// LoadPeople decodes the embedded vocabulary.
func LoadPeople() (*coach.People, error) {
	var p coach.People
	if err := yaml.Unmarshal(peopleYAML, &p); err != nil {
		return nil, fmt.Errorf("people.yaml: %w", err)
	}
	for _, list := range [][]coach.Term{p.Roles, p.Relationships, p.Styles} {
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
