package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"

	"gopkg.in/yaml.v3"
)

// Each language's messages are messages/LANG.yaml plus any
// messages/PART.LANG.yaml (one part per feature, e.g. schedule.en.yaml);
// a key must not appear in two files.
//
//go:embed messages/*.yaml
var messageFS embed.FS

// Langs are the languages every message exists in.
var langs = []string{"zh", "en"}

// Langs lists the supported languages.
func Langs() []string { return append([]string(nil), langs...) }

// Catalog holds every user-facing message in every language: as text,
// as segments to fill in, or compiled.
type Catalog struct {
	src map[string]map[string]string // lang → key → the message as written
	// msgs holds, compiled, the messages that need text/template (about
	// one in ten: conditions, ranges, functions). The others' templates
	// are compiled again when first asked for (Args, or a fields-only
	// message given an argument that is not a string), and kept in later
	// from then on: kept from the start, the 668 of them were a megabyte
	// of the server's live heap, which the collector walks on every cycle
	// and sizes the heap by.
	msgs    map[string]map[string]*template.Template // lang → key → template
	laterMu sync.RWMutex
	later   map[[2]string]*template.Template // {lang, key} → template compiled again
	// plain holds, rendered, the messages without actions (button labels,
	// headings): Text returns them without running a template, which the
	// morning reminders, thousands of labels a minute, notice.
	plain map[string]map[string]string // lang → key → text
	// fields holds the messages that only put arguments in text ("Created
	// {{.ref}}: {{.name}}"), most of them: Text fills those in without
	// text/template's reflection when every argument is a string (a
	// reply's texts were 4% of a slash command's CPU).
	fields map[string]map[string][]segment // lang → key → segments
}

// segment is a piece of a fields-only message: literal text, or the
// argument named field.
type segment struct {
	text  string
	field string // "" for text
}

// LoadCatalog compiles the embedded message files. It fails when a template
// does not parse or a key is missing in one language.
func LoadCatalog() (*Catalog, error) {
	c := &Catalog{src: map[string]map[string]string{}, msgs: map[string]map[string]*template.Template{},
		later: map[[2]string]*template.Template{}, plain: map[string]map[string]string{}, fields: map[string]map[string][]segment{}}
	for _, lang := range langs {
		files, err := fs.Glob(messageFS, "messages/*"+lang+".yaml")
		if err != nil {
			return nil, fmt.Errorf("list %s messages: %w", lang, err)
		}
		c.src[lang] = map[string]string{}
		c.msgs[lang] = map[string]*template.Template{}
		c.plain[lang] = map[string]string{}
		c.fields[lang] = map[string][]segment{}
		for _, f := range files {
			if base := path.Base(f); base != lang+".yaml" && !strings.HasSuffix(base, "."+lang+".yaml") {
				continue
			}
			if err := c.load(lang, f); err != nil {
				return nil, err
			}
		}
	}
	if missing := c.Missing(); len(missing) > 0 {
		return nil, fmt.Errorf("messages missing a translation: %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// load compiles one message file of lang.
func (c *Catalog) load(lang, file string) error {
	b, err := messageFS.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	var raw map[string]string
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for k, v := range raw {
		if _, dup := c.src[lang][k]; dup {
			return fmt.Errorf("%s: key %s is also in another file", file, k)
		}
		t, err := compile(k, v)
		if err != nil {
			return fmt.Errorf("%s: key %s: %w", file, k, err)
		}
		c.src[lang][k] = v
		if text, ok := plainText(t); ok {
			c.plain[lang][k] = text
		} else if segs, ok := fieldSegments(t); ok {
			c.fields[lang][k] = segs
		} else {
			c.msgs[lang][k] = t
		}
	}
	return nil
}

// compile parses message key's text v as a template.
func compile(key, v string) (*template.Template, error) {
	return template.New(key).Option("missingkey=zero").Parse(v)
}

// template is message key's compiled template in lang: kept, or compiled
// again (it compiled when loaded) and then kept in later, since a
// message asked once for its template (given a number, say) is likely
// asked again.
func (c *Catalog) template(lang, key string) (*template.Template, bool) {
	if t, ok := c.msgs[lang][key]; ok {
		return t, true
	}
	id := [2]string{lang, key}
	c.laterMu.RLock()
	t, ok := c.later[id]
	c.laterMu.RUnlock()
	if ok {
		return t, true
	}
	v, ok := c.src[lang][key]
	if !ok {
		return nil, false
	}
	t, err := compile(key, v)
	if err != nil {
		return nil, false
	}
	c.laterMu.Lock()
	defer c.laterMu.Unlock()
	if old, ok := c.later[id]; ok {
		return old, true
	}
	c.later[id] = t
	return t, true
}

// fieldSegments splits a template made only of text and {{.name}} actions
// into its segments.
func fieldSegments(t *template.Template) ([]segment, bool) {
	if t.Tree == nil || t.Tree.Root == nil {
		return nil, false
	}
	var segs []segment
	for _, n := range t.Tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			segs = append(segs, segment{text: string(n.Text)})
		case *parse.ActionNode:
			p := n.Pipe
			if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
				return nil, false
			}
			f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok || len(f.Ident) != 1 {
				return nil, false
			}
			segs = append(segs, segment{field: f.Ident[0]})
		default:
			return nil, false
		}
	}
	return segs, true
}

// fill renders segs with the arguments arg names, if every one is a
// string (what the template prints as is); ok is false otherwise, and the
// template runs instead. The text is built in one allocation.
func fill(segs []segment, arg func(name string) (string, bool)) (string, bool) {
	n := 0
	for _, s := range segs {
		if s.field == "" {
			n += len(s.text)
			continue
		}
		v, ok := arg(s.field)
		if !ok {
			return "", false
		}
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range segs {
		if s.field == "" {
			b.WriteString(s.text)
			continue
		}
		v, _ := arg(s.field)
		b.WriteString(v)
	}
	return strings.TrimRight(b.String(), "\n"), true
}

// pairArg is the string value of argument name among name, value pairs:
// the last pair of that name, as in the map the pairs make (argMap).
func pairArg(pairs []any, name string) (v string, ok bool) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if k, _ := pairs[i].(string); k == name {
			v, ok = pairs[i+1].(string)
		}
	}
	return v, ok
}

// argMap makes name, value pairs a map of arguments; a name that is not a
// string is formatted.
func argMap(pairs []any) map[string]any {
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, ok := pairs[i].(string)
		if !ok {
			k = fmt.Sprint(pairs[i])
		}
		m[k] = pairs[i+1]
	}
	return m
}

// plainText is what a template without actions renders: its text.
func plainText(t *template.Template) (string, bool) {
	var b strings.Builder
	if t.Tree == nil || t.Tree.Root == nil {
		return "", true
	}
	for _, n := range t.Tree.Root.Nodes {
		tn, ok := n.(*parse.TextNode)
		if !ok {
			return "", false
		}
		b.Write(tn.Text)
	}
	return strings.TrimRight(b.String(), "\n"), true
}

// Missing lists "lang:key" for every key present in one language and not
// in another.
func (c *Catalog) Missing() []string {
	var out []string
	for _, a := range langs {
		for k := range c.src[a] {
			for _, b := range langs {
				if _, ok := c.src[b][k]; !ok {
					out = append(out, b+":"+k)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Keys lists every message key, sorted.
func (c *Catalog) Keys() []string {
	var out []string
	for k := range c.src["en"] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether key exists.
func (c *Catalog) Has(key string) bool { _, ok := c.src["en"][key]; return ok }

// Text renders message key in lang with args. An unknown language falls
// back to English; an unknown key renders as the key itself, so a missing
// message is visible rather than silent.
func (c *Catalog) Text(lang, key string, args map[string]any) string {
	lang = c.language(lang)
	if text, ok := c.quick(lang, key, mapArg(args)); ok {
		return text
	}
	t, ok := c.template(lang, key)
	if !ok {
		return key
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, args); err != nil {
		return key
	}
	return strings.TrimRight(buf.String(), "\n")
}

// TextPairs is Text with its arguments as name, value pairs: a plain or
// fields-only message given strings, nearly every message a reply says,
// is rendered without making the map of them (two allocations a message).
func (c *Catalog) TextPairs(lang, key string, pairs ...any) string {
	lang = c.language(lang)
	if text, ok := c.quick(lang, key, func(name string) (string, bool) { return pairArg(pairs, name) }); ok {
		return text
	}
	return c.Text(lang, key, argMap(pairs))
}

// language is lang if the catalogue has it, else English.
func (c *Catalog) language(lang string) string {
	if _, ok := c.src[lang]; !ok {
		return "en"
	}
	return lang
}

// quick renders message key without text/template when it can: a plain
// one, or a fields-only one whose arguments arg gives as strings.
func (c *Catalog) quick(lang, key string, arg func(name string) (string, bool)) (string, bool) {
	if text, ok := c.plain[lang][key]; ok {
		return text, true
	}
	if segs, ok := c.fields[lang][key]; ok {
		return fill(segs, arg)
	}
	return "", false
}

// mapArg looks arguments up in args, as fill wants them.
func mapArg(args map[string]any) func(name string) (string, bool) {
	return func(name string) (string, bool) { v, ok := args[name].(string); return v, ok }
}

// Args lists the argument names message key uses in lang, sorted.
func (c *Catalog) Args(lang, key string) []string {
	t, ok := c.template(lang, key)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			seen[n.Ident[0]] = true
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(t.Tree.Root)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
