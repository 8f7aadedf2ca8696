package chart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// ErrNoFont means that no usable CJK font was found; callers then send the
// digest as text only.
var ErrNoFont = errors.New("chart: no usable CJK font (install fonts-droid-fallback)")

// cjkProbe holds runes a CJK-capable font must have: the digest's titles and
// labels are Chinese, and a font without them would draw boxes.
const cjkProbe = "销售漏斗客户加权"

// Font is a CJK-capable font file, checked by LoadFont. Render reads it
// each time it draws: a digest's chart is drawn once a week, and the
// parsed font held all the while was a sixth of serve's resident memory.
// It is immutable and safe for concurrent use by any number of Render
// calls.
type Font struct {
	path string
}

// loaded is a Font's glyphs, while a chart is drawn.
type loaded struct {
	sf *sfnt.Font
	// latin draws what sf lacks: Droid Sans Fallback, the font Debian and
	// our image ship, has no Latin letters, digits, "¥" or "…" at all.
	latin *sfnt.Font
}

// fontPaths lists where LoadFont("") looks, in order of preference: Debian's
// packages first (fonts-droid-fallback is the one CI and the image install),
// then other Linux distributions, macOS and Windows.
func fontPaths() []string {
	return []string{
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
		"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
		"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
		"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
		"/usr/share/fonts/truetype/arphic/uming.ttc",
		"/usr/share/fonts/truetype/arphic/ukai.ttc",
		"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
		"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
		"/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
		"/System/Library/Fonts/PingFang.ttc",
		"/System/Library/Fonts/STHeiti Light.ttc",
		"/Library/Fonts/Arial Unicode.ttf",
		`C:\Windows\Fonts\msyh.ttc`,
		`C:\Windows\Fonts\simsun.ttc`,
	}
}

// LoadFont loads the TrueType or OpenType font (.ttf, .otf, or the first
// font of a .ttc/.otc collection) at path. An empty path searches the usual
// system locations and takes the first usable font. Every failure, a missing
// or unreadable file as much as a font without Chinese glyphs, wraps
// ErrNoFont, so that callers can fall back to text with one errors.Is.
func LoadFont(path string) (*Font, error) {
	if path != "" {
		return loadFile(path)
	}
	paths := fontPaths()
	var errs []error
	for _, p := range paths {
		f, err := loadFile(p)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: searched %s: %w", ErrNoFont, strings.Join(paths, ", "), errors.Join(errs...))
	}
	return nil, fmt.Errorf("%w: searched %s", ErrNoFont, strings.Join(paths, ", "))
}

// loadFile checks the font at path: it loads, and has Chinese glyphs.
// It reads only the tables the check needs, through the open file: serve
// checks its font at start, and reading the whole file (4 MB for Droid
// Sans Fallback) there was most of its start-up garbage. A font sfnt
// cannot read in place (unaligned tables) is checked as Render loads it.
func loadFile(path string) (*Font, error) {
	f := &Font{path: path}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoFont, err)
	}
	defer file.Close()
	var sf *sfnt.Font
	c, err := sfnt.ParseCollectionReaderAt(file)
	if err == nil {
		sf, err = c.Font(0)
	}
	if err != nil {
		if _, err := f.load(); err != nil {
			return nil, err
		}
		return f, nil
	}
	if err := hasCJK(sf, path); err != nil {
		return nil, err
	}
	return f, nil
}

// hasCJK checks that sf has a glyph for each rune of cjkProbe.
func hasCJK(sf *sfnt.Font, path string) error {
	var b sfnt.Buffer
	for _, r := range cjkProbe {
		if i, err := sf.GlyphIndex(&b, r); err != nil || i == 0 {
			return fmt.Errorf("%w: %s has no glyph for %q", ErrNoFont, path, r)
		}
	}
	return nil
}

// load reads and parses the font file, and checks it has Chinese glyphs
// (the file may have changed since LoadFont).
func (f *Font) load() (*loaded, error) {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoFont, err)
	}
	sf, err := parseFirst(data)
	if err != nil {
		return nil, fmt.Errorf("%w: parse %s: %w", ErrNoFont, f.path, err)
	}
	latin, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("parse Go Regular: %w", err)
	}
	if err := hasCJK(sf, f.path); err != nil {
		return nil, err
	}
	return &loaded{sf: sf, latin: latin}, nil
}

// parseFirst parses a font file, or the first font of a collection. Some
// common CJK collections (WenQuanYi, AR PL) put their tables at offsets that
// are not multiples of four, which sfnt rejects (golang/go#46384); those are
// copied into an aligned single font and parsed again.
func parseFirst(data []byte) (*sfnt.Font, error) {
	// ParseCollection also takes a single font, as a collection of one.
	c, err := sfnt.ParseCollection(data)
	if err == nil {
		var f *sfnt.Font
		if f, err = c.Font(0); err == nil {
			return f, nil
		}
	}
	aligned, aerr := alignTables(data)
	if aerr != nil {
		return nil, err
	}
	return sfnt.Parse(aligned)
}

// has reports whether the font has a glyph for r (other than .notdef).
func (l *loaded) has(r rune) bool {
	var b sfnt.Buffer
	i, err := l.sf.GlyphIndex(&b, r)
	return err == nil && i != 0
}
