package chart

import (
	"image"
	"image/color"
	"math"
	"strings"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Text sizes in pixels (faces are made at 72 DPI, where points are pixels).
const (
	titleSize    = 26
	subtitleSize = 16
	labelSize    = 17
	valueSize    = 15
)

// faces are one Render's font faces. A face keeps a glyph buffer and a
// cache, so faces are made per call and never shared between goroutines.
type faces struct {
	title, subtitle, label, value font.Face
}

func newFaces(f *loaded) (*faces, error) {
	mk := func(size float64) (font.Face, error) {
		opts := &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}
		cjk, err := opentype.NewFace(f.sf, opts)
		if err != nil {
			return nil, err
		}
		latin, err := opentype.NewFace(f.latin, opts)
		if err != nil {
			return nil, err
		}
		return newFallbackFace(cjk, latin), nil
	}
	var fc faces
	var err error
	if fc.title, err = mk(titleSize); err != nil {
		return nil, err
	}
	if fc.subtitle, err = mk(subtitleSize); err != nil {
		return nil, err
	}
	if fc.label, err = mk(labelSize); err != nil {
		return nil, err
	}
	if fc.value, err = mk(valueSize); err != nil {
		return nil, err
	}
	return &fc, nil
}

func (fc *faces) close() {
	for _, f := range []font.Face{fc.title, fc.subtitle, fc.label, fc.value} {
		if f != nil {
			f.Close()
		}
	}
}

// baseline puts text of the given size on the line whose centre is cy: an
// ideograph spans about 0.88em above the baseline and 0.12em below, Latin
// capitals about 0.7em above, so both look centred 0.36em above it.
func baseline(cy, size int) int {
	return cy + int(math.Round(0.36*float64(size)))
}

// drawText draws s with its baseline at (x, y), cut to maxW pixels.
func drawText(dst *image.RGBA, face font.Face, s string, x, y, maxW int, c color.Color) {
	s = fit(face, oneLine(s), maxW)
	if s == "" {
		return
	}
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// oneLine turns line breaks, tabs and other control characters into spaces:
// the chart has one line per label.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s))
}

// fit returns s if it is at most maxW pixels wide in face, otherwise the
// longest prefix of s that fits with an ellipsis after it.
func fit(face font.Face, s string, maxW int) string {
	limit := fixed.I(maxW)
	if font.MeasureString(face, s) <= limit {
		return s
	}
	ellipsis := "…"
	if _, ok := face.GlyphAdvance('…'); !ok {
		ellipsis = "..."
	}
	room := limit - font.MeasureString(face, ellipsis)
	runes := []rune(s)
	// Binary search for the longest prefix within room; widths only grow
	// with length (advances are never negative).
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if font.MeasureString(face, string(runes[:mid])) <= room {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(runes[:lo]), " ") + ellipsis
}
