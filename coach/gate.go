package coach

import (
	"strings"
)

// Move describes a stage change: its direction, the stages jumped over,
// and the required questions of the stage left behind that have no answer.
// A move always applies; Move only says what to warn about.
type Move struct {
	Forward, Backward bool
	Skipped           []Stage
	Unanswered        []Question
}

// CheckMove judges moving deal d from stage from to stage to.
func (p *Playbook) CheckMove(d Deal, from, to string, answers map[string]Answer) Move {
	i, j := p.Index(from), p.Index(to)
	var m Move
	if i < 0 || j < 0 || i == j {
		return m
	}
	if j < i {
		m.Backward = true
		return m
	}
	m.Forward = true
	m.Skipped = append(m.Skipped, p.Stages[i+1:j]...)
	m.Unanswered = p.Unanswered(d, from, answers)
	return m
}

// Unanswered lists the required questions of stage that d has not
// answered. Skipping is not answering. The next-step question counts as
// answered while the deal has a dated next step.
func (p *Playbook) Unanswered(d Deal, stage string, answers map[string]Answer) []Question {
	s := p.stage(stage)
	if s == nil {
		return nil
	}
	var out []Question
	for i := range s.Questions {
		if q := &s.Questions[i]; unanswered(d, q, answers) {
			out = append(out, *q)
		}
	}
	return out
}

// unanswered is Unanswered's test of one question.
func unanswered(d Deal, q *Question, answers map[string]Answer) bool {
	if !q.Required || answers[q.Key].Status == Answered {
		return false
	}
	return !IsNextStepQuestion(*q) || d.NextStep == "" || d.NextStepDue.IsZero()
}

// countUnanswered is len(Unanswered) without the list, and how many of
// those are the next-step question: the rules count them for every open
// deal each morning, where the lists were a fifth of the work.
func (p *Playbook) countUnanswered(d Deal, stage string, answers map[string]Answer) (n, nextStep int) {
	s := p.stage(stage)
	if s == nil {
		return 0, 0
	}
	for i := range s.Questions {
		if q := &s.Questions[i]; unanswered(d, q, answers) {
			n++
			if IsNextStepQuestion(*q) {
				nextStep++
			}
		}
	}
	return n, nextStep
}

// IsNextStepQuestion reports the question every stage ends with: "what is
// my next step, and when?". The deal's next step answers it.
func IsNextStepQuestion(q Question) bool { return strings.HasSuffix(q.Key, ".next_step") }

// Pending lists the questions of the deal's stage still to ask: neither
// answered nor skipped, in the playbook's order. The next-step question is
// left out while the deal has a dated next step.
func (p *Playbook) Pending(d Deal, answers map[string]Answer) []Question {
	s, ok := p.Stage(d.Stage)
	if !ok {
		return nil
	}
	var out []Question
	for _, q := range s.Questions {
		if _, done := answers[q.Key]; done {
			continue
		}
		if IsNextStepQuestion(q) && d.NextStep != "" && !d.NextStepDue.IsZero() {
			continue
		}
		out = append(out, q)
	}
	return out
}
