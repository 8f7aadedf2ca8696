package work

import (
	"strings"

	"github.com/dealcoach/dealcoach/prompts"
)

// MoreFormat is the note on a reply cut to a platform's limits, in lang:
// a fmt format with one %d, the number of parts left out.
func MoreFormat(cat *prompts.Catalog, lang string) string {
	text := cat.Text(lang, "reply.more", map[string]any{"n": "\x00"})
	return strings.ReplaceAll(strings.ReplaceAll(text, "%", "%%"), "\x00", "%d")
}
