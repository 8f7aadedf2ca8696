package bot

import "fmt"

// help explains the language with examples in the speaker's language.
func (b *Bot) help(t *turn, topic string) Reply {
	if topic != "" {
		r := textReply(t.lang, b.text(t.lang, "help.topic."+topic))
		r.Ephemeral = true
		return r
	}
	pb := b.cfg.Playbook
	var stages []string
	for i, s := range pb.Stages {
		stages = append(stages, fmt.Sprintf("%d. %s (%s) %d%%", i+1, s.Name.In(t.lang), s.Key, s.WinRate))
	}
	r := textReply(t.lang, b.text(t.lang, "help", "playbook", pb.Name.In(t.lang)))
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "help.more")})
	r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "help.stages")}, Block{Kind: ListBlock, Items: stages})
	r.Ephemeral = true
	return r
}
