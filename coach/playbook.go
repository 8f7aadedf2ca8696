package coach

import (
	"fmt"

	"github.com/dealcoach/dealcoach/prompts"
)

// Playbook is a validated sales method with fast stage lookups.
type Playbook struct {
	prompts.Playbook
	index map[string]int
}

// NewPlaybook wraps playbook data for the rules.
func NewPlaybook(p *prompts.Playbook) (*Playbook, error) {
	if p == nil || len(p.Stages) == 0 {
		return nil, fmt.Errorf("playbook has no stages")
	}
	pb := &Playbook{Playbook: *p, index: make(map[string]int, len(p.Stages))}
	for i, s := range p.Stages {
		pb.index[s.Key] = i
	}
	return pb, nil
}

// Stage returns the stage with key, and whether it exists.
func (p *Playbook) Stage(key string) (prompts.Stage, bool) {
	i, ok := p.index[key]
	if !ok {
		return prompts.Stage{}, false
	}
	return p.Stages[i], true
}

// stage is Stage without the copy: nil when unknown.
func (p *Playbook) stage(key string) *prompts.Stage {
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
func (p *Playbook) First() prompts.Stage { return p.Stages[0] }

// Final is the stage of a won deal: the last one.
func (p *Playbook) Final() prompts.Stage { return p.Stages[len(p.Stages)-1] }

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
