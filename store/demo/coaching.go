package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// seedCoaching gives the open deals what a coached funnel has: answers to
// the push questions of the stages they went through (most required ones,
// so only a few deals show "advanced without exit criteria"), a few of the
// current stage's, 8C1F0W marks growing with the stage, and the decision
// chain people.
func seedCoaching(ctx context.Context, db *store.DB, pb *coach.Playbook, r *rand.Rand, deals []coach.Deal, langs []int) error {
	var fs []store.Facts
	for i, d := range deals {
		if d.Status != coach.Open {
			continue
		}
		fs = append(fs, store.Facts{DealID: d.ID, PersonID: d.OwnerID, At: d.UpdatedAt,
			Answers: answers(pb, r, d, langs[i]), Marks: marks(pb, r, d), Contacts: contacts(pb, r, d, langs[i])})
	}
	if err := db.RestoreCoaching(ctx, fs); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

func answers(pb *coach.Playbook, r *rand.Rand, d coach.Deal, lang int) []coach.Answer {
	texts := answerTexts()[lang]
	cur := pb.Index(d.Stage)
	var out []coach.Answer
	for si, s := range pb.Stages[:cur+1] {
		for qi, q := range s.Questions {
			if coach.IsNextStepQuestion(q) {
				continue
			}
			earlier := si < cur && (q.Required && r.IntN(10) > 0 || r.IntN(2) == 0)
			current := si == cur && qi < 2 && r.IntN(3) > 0
			if earlier || current {
				out = append(out, coach.Answer{Question: q.Key, Stage: s.Key, Status: coach.Answered, Text: texts[r.IntN(len(texts))]})
			}
		}
	}
	return out
}

func marks(pb *coach.Playbook, r *rand.Rand, d coach.Deal) map[string]coach.Mark {
	keys := pb.FactorKeys()
	if len(keys) == 0 || pb.Index(d.Stage) == 0 {
		return nil
	}
	s, _ := pb.Stage(d.Stage)
	out := map[string]coach.Mark{}
	for _, f := range keys {
		switch n := r.IntN(100); {
		case n < s.WinRate+20:
			out[f] = coach.Clear
		case n < 92:
			out[f] = coach.Fuzzy
		default:
			out[f] = coach.Warning
		}
	}
	return out
}

func contacts(pb *coach.Playbook, r *rand.Rand, d coach.Deal, lang int) []coach.Contact {
	people := contactNames()[lang]
	s, _ := pb.Stage(d.Stage)
	roles := []string{"initiator"}
	if pb.Index(d.Stage) >= 1 {
		roles = append(roles, "insider")
	}
	if s.WinRate >= 50 && r.IntN(4) > 0 { // some late deals still lack one: a flag to see
		roles = append(roles, "decision_maker")
	}
	rels := []string{"acquainted", "interacting", "personal", "ally"}
	styles := []string{"koala", "tiger", "owl", "peacock"}
	var out []coach.Contact
	for _, role := range roles {
		out = append(out, coach.Contact{Name: people[r.IntN(len(people))], Role: role,
			Relationship: rels[r.IntN(len(rels))], Style: styles[r.IntN(len(styles))]})
	}
	return out
}

// answerTexts are plausible answers to push questions, by language.
func answerTexts() [2][]string {
	return [2][]string{{
		"已确认,信息中心主任牵头推动", "预算已列入明年计划,约在我们报价范围内", "主要痛点是人工对账,每月多花两周",
		"对手是两家本地厂商,价格比我们低一成", "上周与分管副行长见过面,反馈积极", "客户希望一季度上线",
		"有同行业两个案例可以参考", "采购走公开招标,评分标准技术占六成",
	}, {
		"Confirmed: the CIO sponsors it", "Budget is in next year's plan, within our range",
		"Manual reconciliation costs them two weeks a month", "Two local vendors, about 10% cheaper than us",
		"Met the VP last week; positive", "They want to go live in Q1", "Two peer references in their industry",
		"Formal tender; technical score weighs 60%",
	}}
}

// contactNames are made-up people on the customer's side, by language.
func contactNames() [2][]string {
	return [2][]string{
		{"刘行长", "涂主任", "陈总", "王处长", "赵经理", "孙总监", "周主任", "吴总"},
		{"Jane Doe", "Tom Baker", "Priya Nair", "Carlos Ruiz", "Mei Lin", "Ahmed Khan", "Sara Berg", "Ken Ito"},
	}
}
