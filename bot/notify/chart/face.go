package chart

import (
	"image"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// fallbackFace draws each rune with the first of its faces that has a glyph
// for it, so that a CJK-only font still shows "¥150万 (加权 ¥37.5万)" whole.
// Like the faces it holds, it is for one goroutine.
type fallbackFace struct {
	faces  []font.Face // the CJK face first
	choice map[rune]font.Face
}

func newFallbackFace(faces ...font.Face) *fallbackFace {
	return &fallbackFace{faces: faces, choice: make(map[rune]font.Face)}
}

func (m *fallbackFace) pick(r rune) font.Face {
	if f, ok := m.choice[r]; ok {
		return f
	}
	f := m.faces[0]
	for _, g := range m.faces {
		if _, ok := g.GlyphAdvance(r); ok {
			f = g
			break
		}
	}
	m.choice[r] = f
	return f
}

func (m *fallbackFace) Close() error {
	for _, f := range m.faces {
		f.Close()
	}
	return nil
}

func (m *fallbackFace) Glyph(dot fixed.Point26_6, r rune) (image.Rectangle, image.Image, image.Point, fixed.Int26_6, bool) {
	return m.pick(r).Glyph(dot, r)
}

func (m *fallbackFace) GlyphBounds(r rune) (fixed.Rectangle26_6, fixed.Int26_6, bool) {
	return m.pick(r).GlyphBounds(r)
}

func (m *fallbackFace) GlyphAdvance(r rune) (fixed.Int26_6, bool) {
	return m.pick(r).GlyphAdvance(r)
}

// Kern kerns only pairs drawn from the same font.
func (m *fallbackFace) Kern(r0, r1 rune) fixed.Int26_6 {
	if f := m.pick(r0); f == m.pick(r1) {
		return f.Kern(r0, r1)
	}
	return 0
}

func (m *fallbackFace) Metrics() font.Metrics { return m.faces[0].Metrics() }
