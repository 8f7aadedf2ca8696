package work

import (
	"strings"
	"sync"

	"github.com/dealcoach/dealcoach/prompts"
)

// MoreFormat is the note on a reply cut to a platform's limits, in lang:
// a fmt format with one %d, the number of parts left out.
func MoreFormat(cat *prompts.Catalog, lang string) string {
	text := cat.Text(lang, "reply.more", map[string]any{"n": "\x00"})
	return strings.ReplaceAll(strings.ReplaceAll(text, "%", "%%"), "\x00", "%d")
}

// MoreFormats are a catalog's MoreFormat, made once a language: every
// reply an adapter renders asks for one, and making it runs a template
// (2% of a slash command's CPU in the side-by-side harness).
type MoreFormats struct {
	cat *prompts.Catalog
	m   sync.Map // lang → format
}

// NewMoreFormats makes the notes of cat, a catalog that no longer changes.
func NewMoreFormats(cat *prompts.Catalog) *MoreFormats { return &MoreFormats{cat: cat} }

// In is MoreFormat(cat, lang).
func (f *MoreFormats) In(lang string) string {
	if v, ok := f.m.Load(lang); ok {
		return v.(string)
	}
	v := MoreFormat(f.cat, lang)
	f.m.Store(lang, v)
	return v
}
