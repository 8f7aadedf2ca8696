package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dealcoach/dealcoach/bot/notify/chart/charttest"
	xfont "golang.org/x/image/font"
)

// testFont loads the CJK font the tests draw with, or skips the test when
// the machine has none (CI installs one and requires it: see charttest).
func testFont(tb testing.TB) *Font {
	tb.Helper()
	return charttest.Font(tb, LoadFont)
}

func sampleFunnel() Funnel {
	return Funnel{
		Title:    "销售一组 · 2026-W48 漏斗",
		Subtitle: "加权预测 ¥320万 / 季度目标 ¥500万",
		Stages: []Stage{
			{Label: "线索 10%", Count: 12, Amount: 6e6, Weighted: 6e5, Value: "12 · ¥600万 (加权 ¥60万)"},
			{Label: "立项客户 25%", Count: 3, Amount: 1.5e6, Weighted: 3.75e5, Value: "3 · ¥150万 (加权 ¥37.5万)"},
			{Label: "方案报价 50%", Count: 5, Amount: 2.4e6, Weighted: 1.2e6, Value: "5 · ¥240万 (加权 ¥120万)"},
			{Label: "商务谈判 75%", Count: 2, Amount: 1e6, Weighted: 7.5e5, Value: "2 · ¥100万 (加权 ¥75万)"},
			{Label: "Approved 90%", Count: 1, Amount: 5e5, Weighted: 4.5e5, Value: "1 · ¥50万 (加权 ¥45万)"},
			{Label: "赢单 100%", Count: 0, Value: "0"},
		},
	}
}

func render(t *testing.T, f Funnel, font *Font) image.Image {
	t.Helper()
	b, err := Render(f, font)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	return img
}

func rgb(c color.Color) (r, g, b uint8) {
	r32, g32, b32, _ := c.RGBA()
	return uint8(r32 >> 8), uint8(g32 >> 8), uint8(b32 >> 8)
}

func isDark(c color.Color) bool {
	r, g, b := rgb(c)
	return int(r)+int(g)+int(b) < 3*128
}

// isBarColour tells bar pixels (light or dark blue) from the white
// background and the pale connectors.
func isBarColour(c color.Color) bool {
	r, _, b := rgb(c)
	return r < 0xd0 && b > r+0x20
}

// barRun measures the bar on stage i's centre line: its first x and width.
func barRun(img image.Image, i int, match func(color.Color) bool) (x0, w int) {
	y := rowCentre(i)
	x0 = -1
	for x := labelRight; x < valueLeft; x++ {
		if match(img.At(x, y)) {
			if x0 < 0 {
				x0 = x
			}
			w++
		}
	}
	return x0, w
}

// countDark counts dark pixels in r.
func countDark(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if isDark(img.At(x, y)) {
				n++
			}
		}
	}
	return n
}

func labelRect(i int) image.Rectangle {
	return image.Rect(labelLeft, rowCentre(i)-rowH/2, labelRight, rowCentre(i)+rowH/2)
}

func TestRenderSize(t *testing.T) {
	font := testFont(t)
	for _, n := range []int{0, 1, 6, 25} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := sampleFunnel()
			f.Stages = nil
			for i := range n {
				f.Stages = append(f.Stages, Stage{Label: fmt.Sprintf("阶段 %d", i), Amount: float64(n - i), Value: "x"})
			}
			img := render(t, f, font)
			want := image.Rect(0, 0, 1000, 140+60*n)
			if img.Bounds() != want {
				t.Fatalf("bounds %v, want %v", img.Bounds(), want)
			}
			for i := range n {
				if _, w := barRun(img, i, isBarColour); w < minBarW {
					t.Errorf("stage %d: bar %d px wide, want at least %d", i, w, minBarW)
				}
			}
		})
	}
}

func TestRenderBarWidths(t *testing.T) {
	font := testFont(t)
	f := sampleFunnel()
	img := render(t, f, font)

	maxAmount := 6e6
	area := float64(barRight - barLeft)
	widths := make([]int, len(f.Stages))
	for i, s := range f.Stages {
		x0, w := barRun(img, i, isBarColour)
		widths[i] = w
		want := max(int(math.Round(s.Amount/maxAmount*area)), minBarW)
		if abs(w-want) > 1 {
			t.Errorf("stage %d (%.0f): bar %d px wide, want %d", i, s.Amount, w, want)
		}
		if mid := x0 + w/2; abs(mid-(barLeft+barRight)/2) > 1 {
			t.Errorf("stage %d: bar centred at x=%d, want %d", i, mid, (barLeft+barRight)/2)
		}
		isWeighted := func(c color.Color) bool { return sameRGB(c, colorWeighted) }
		_, iw := barRun(img, i, isWeighted)
		if wantIn := int(math.Round(s.Weighted / maxAmount * area)); abs(iw-wantIn) > 1 {
			t.Errorf("stage %d: weighted bar %d px wide, want %d", i, iw, wantIn)
		}
	}
	// Widths follow amounts: stage 0 (600万) > 2 (240万) > 1 (150万) > 3 > 4 > 5.
	for _, p := range [][2]int{{0, 2}, {2, 1}, {1, 3}, {3, 4}, {4, 5}} {
		if widths[p[0]] <= widths[p[1]] {
			t.Errorf("bar %d (%d px) not wider than bar %d (%d px)", p[0], widths[p[0]], p[1], widths[p[1]])
		}
	}
}

func sameRGB(c color.Color, want color.RGBA) bool {
	r, g, b := rgb(c)
	return r == want.R && g == want.G && b == want.B
}

func abs(n int) int { return max(n, -n) }

func measure(face xfont.Face, s string) int { return xfont.MeasureString(face, s).Ceil() }

func TestRenderOddAmounts(t *testing.T) {
	font := testFont(t)
	f := Funnel{Title: "t", Stages: []Stage{
		{Label: "zero", Amount: 0},
		{Label: "negative", Amount: -5, Weighted: -1},
		{Label: "NaN", Amount: math.NaN(), Weighted: math.Inf(1)},
		{Label: "inf", Amount: math.Inf(1)},
	}}
	img := render(t, f, font)
	for i := range f.Stages {
		if _, w := barRun(img, i, isBarColour); w != minBarW {
			t.Errorf("stage %d (%s): bar %d px wide, want %d", i, f.Stages[i].Label, w, minBarW)
		}
	}
}

// TestRenderGlyphs checks that text draws real glyphs, not nothing and not
// the .notdef box ("tofu"): each label is compared with a label of as many
// runes that no font has.
func TestRenderGlyphs(t *testing.T) {
	font := testFont(t)
	l, err := font.load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cjkProbe + "立项客户" {
		if !l.has(r) {
			t.Errorf("%s has no glyph for %q", font.path, r)
		}
	}
	for _, label := range []string{"立项客户", "Approved", "¥150万"} {
		tofu := strings.Repeat("\U0010FFFD", len([]rune(label)))
		img := render(t, Funnel{Stages: []Stage{{Label: label, Amount: 1}}}, font)
		box := render(t, Funnel{Stages: []Stage{{Label: tofu, Amount: 1}}}, font)

		r := labelRect(0)
		if n := countDark(img, r); n < 40 {
			t.Errorf("%q: %d dark pixels in the label, want a drawn label", label, n)
		}
		diff := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if isDark(img.At(x, y)) != isDark(box.At(x, y)) {
					diff++
				}
			}
		}
		if diff < 40 {
			t.Errorf("%q draws like .notdef boxes (%d pixels differ)", label, diff)
		}
	}
}

func TestRenderNoStages(t *testing.T) {
	font := testFont(t)
	img := render(t, Funnel{Title: "销售一组 · 2026-W48 漏斗"}, font)
	if n := countDark(img, image.Rect(0, 0, width, headerH)); n < 100 {
		t.Errorf("title: %d dark pixels, want a drawn title", n)
	}
	body := image.Rect(0, headerH, width, img.Bounds().Max.Y)
	for y := body.Min.Y; y < body.Max.Y; y++ {
		for x := body.Min.X; x < body.Max.X; x++ {
			if !sameRGB(img.At(x, y), colorBackground) {
				t.Fatalf("empty body has a pixel %v at (%d,%d)", img.At(x, y), x, y)
			}
		}
	}
}

func TestRenderLongText(t *testing.T) {
	font := testFont(t)
	long := strings.Repeat("商务谈判阶段Negotiation", 10)
	f := Funnel{Title: long, Subtitle: long, Stages: []Stage{{Label: long + "\n75%", Amount: 1, Value: long}}}
	img := render(t, f, font)
	// Nothing spills out of its column: the gaps beside the bar area and the
	// right margin stay white.
	for _, r := range []image.Rectangle{
		image.Rect(labelRight+1, headerH, barLeft, imageHeight(1)),
		image.Rect(barRight, headerH, valueLeft-1, imageHeight(1)),
		image.Rect(valueRight+1, 0, width, imageHeight(1)),
	} {
		if n := countDark(img, r); n > 0 {
			t.Errorf("%d dark pixels in %v, want text cut to its column", n, r)
		}
	}
	if n := countDark(img, labelRect(0)); n < 100 {
		t.Errorf("long label: %d dark pixels, want it drawn (cut)", n)
	}
}

func TestFit(t *testing.T) {
	l, err := testFont(t).load()
	if err != nil {
		t.Fatal(err)
	}
	fc, err := newFaces(l)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.close()
	tests := []struct {
		in   string
		maxW int
		cut  bool
	}{
		{"立项客户 25%", 200, false},
		{"", 10, false},
		{strings.Repeat("立项", 40), 200, true},
		{strings.Repeat("Approved ", 40), 200, true},
		{"立项客户", 5, true}, // not even one rune fits: the ellipsis alone
	}
	for _, tt := range tests {
		got := fit(fc.label, tt.in, tt.maxW)
		if !tt.cut {
			if got != tt.in {
				t.Errorf("fit(%q, %d) = %q, want it unchanged", tt.in, tt.maxW, got)
			}
			continue
		}
		head, ok := strings.CutSuffix(got, "…")
		if !ok || !strings.HasPrefix(tt.in, head) {
			t.Errorf("fit(%q, %d) = %q, want a prefix and …", tt.in, tt.maxW, got)
		}
		if w := measure(fc.label, got); w > tt.maxW && head != "" {
			t.Errorf("fit(%q, %d) = %q, %d px wide", tt.in, tt.maxW, got, w)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	if _, err := Render(sampleFunnel(), nil); !errors.Is(err, ErrNoFont) {
		t.Errorf("Render with nil font: %v, want ErrNoFont", err)
	}
	f := Funnel{Stages: make([]Stage, maxStages+1)}
	if _, err := Render(f, testFont(t)); err == nil {
		t.Errorf("Render of %d stages: no error", len(f.Stages))
	}
}

// TestRenderConcurrent shares one Font between goroutines (run with -race)
// and checks the output does not depend on it.
func TestRenderConcurrent(t *testing.T) {
	font := testFont(t)
	want, err := Render(sampleFunnel(), font)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := Render(sampleFunnel(), font)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent Render differs (err %v)", err)
			}
		})
	}
	wg.Wait()
}

func BenchmarkRender(b *testing.B) {
	font := testFont(b)
	f := sampleFunnel()
	var size int
	for b.Loop() {
		out, err := Render(f, font)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "png-bytes")
}

// TestRenderRereadsTheFont: Render reads the font file when it draws, so a
// file gone since LoadFont is ErrNoFont (the digest then goes as text),
// and one put back draws again.
func TestRenderRereadsTheFont(t *testing.T) {
	raw, err := os.ReadFile(testFont(t).path)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cjk.ttf")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	font, err := LoadFont(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Render(sampleFunnel(), font); !errors.Is(err, ErrNoFont) {
		t.Fatalf("font file gone: %v, want ErrNoFont", err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if png, err := Render(sampleFunnel(), font); err != nil || len(png) == 0 {
		t.Fatalf("font file back: %d bytes, %v", len(png), err)
	}
}
