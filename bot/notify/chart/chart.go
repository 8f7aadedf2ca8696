// Package chart draws the weekly digest's sales funnel as a PNG.
//
// It draws with golang.org/x/image (opentype faces, image/draw and vector)
// rather than go-chart: go-chart has no funnel chart, so only its rectangle
// and text drawing would be used, and its freetype font type cannot read .ttc
// collections or CFF-flavoured OpenType such as Noto CJK, which sfnt can.
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/vector"
)

// Stage is one bar of the funnel.
type Stage struct {
	Label    string  // stage name with its win rate, e.g. "立项客户 25%" or "Approved 25%"
	Count    int     // number of deals in the stage
	Amount   float64 // in currency units; bar width
	Weighted float64 // weighted amount; drawn as an inner, darker bar
	Value    string  // the text printed beside the bar, e.g. "3 · ¥150万 (加权 ¥37.5万)"
}

// Funnel is what the chart shows.
type Funnel struct {
	Title    string  // e.g. "销售一组 · 2026-W48 漏斗"
	Subtitle string  // e.g. "加权预测 ¥320万 / 季度目标 ¥500万"
	Stages   []Stage // top of the funnel first
}

// Layout, in pixels. The image is width × (headerH + footerH + rowH·stages);
// each row is split into a label column, the bar area and a value column.
const (
	width      = 1000
	headerH    = 100
	footerH    = 40
	rowH       = 60
	barH       = 40
	margin     = 28
	labelLeft  = margin
	labelRight = 240
	barLeft    = 256
	barRight   = 656
	valueLeft  = 672
	valueRight = width - margin
	minBarW    = 4 // so that a stage with nothing in it still shows
	// maxStages bounds the image (about 24 MB of pixels at most); a real
	// funnel has a dozen stages.
	maxStages = 100
)

var (
	colorBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colorTitle      = color.RGBA{0x1f, 0x23, 0x28, 0xff}
	colorSubtitle   = color.RGBA{0x57, 0x60, 0x6a, 0xff}
	colorText       = color.RGBA{0x24, 0x29, 0x2f, 0xff}
	colorBar        = color.RGBA{0xa8, 0xcd, 0xf7, 0xff}
	colorWeighted   = color.RGBA{0x1f, 0x6f, 0xd0, 0xff}
	colorConnector  = color.RGBA{0xe8, 0xf1, 0xfb, 0xff}
)

// bar is where one stage's bars go.
type bar struct {
	outer, inner image.Rectangle // inner is empty when nothing is weighted
}

// Render draws f as a PNG: title and subtitle on top, then one row per stage
// with the label left, a centred bar as wide as the stage's Amount (the
// largest fills the bar area) and the Value right. Text too long for its
// column ends in "…". A nil font wraps ErrNoFont.
func Render(f Funnel, font *Font) ([]byte, error) {
	if font == nil {
		return nil, fmt.Errorf("%w: nil font", ErrNoFont)
	}
	if len(f.Stages) > maxStages {
		return nil, fmt.Errorf("chart: %d stages, at most %d", len(f.Stages), maxStages)
	}
	l, err := font.load()
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	fc, err := newFaces(l)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	defer fc.close()

	img := image.NewRGBA(image.Rect(0, 0, width, imageHeight(len(f.Stages))))
	draw.Draw(img, img.Bounds(), image.NewUniform(colorBackground), image.Point{}, draw.Src)

	drawText(img, fc.title, f.Title, margin, 48, width-2*margin, colorTitle)
	drawText(img, fc.subtitle, f.Subtitle, margin, 80, width-2*margin, colorSubtitle)

	bars := layout(f.Stages)
	drawConnectors(img, bars)
	for i, s := range f.Stages {
		b := bars[i]
		draw.Draw(img, b.outer, image.NewUniform(colorBar), image.Point{}, draw.Src)
		draw.Draw(img, b.inner, image.NewUniform(colorWeighted), image.Point{}, draw.Src)
		cy := rowCentre(i)
		drawText(img, fc.label, s.Label, labelLeft, baseline(cy, labelSize), labelRight-labelLeft, colorText)
		drawText(img, fc.value, s.Value, valueLeft, baseline(cy, valueSize), valueRight-valueLeft, colorText)
	}

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("chart: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

func imageHeight(stages int) int { return headerH + footerH + rowH*stages }

// rowCentre is the y of stage i's centre line.
func rowCentre(i int) int { return headerH + rowH*i + rowH/2 }

// layout places the bars: centred on the bar area, widths proportional to
// Amount, the inner bar to Weighted on the same scale.
func layout(stages []Stage) []bar {
	maxAmount := 0.0
	for _, s := range stages {
		maxAmount = max(maxAmount, finite(s.Amount), finite(s.Weighted))
	}
	area := float64(barRight - barLeft)
	scale := func(v float64) int {
		if maxAmount <= 0 {
			return 0
		}
		return int(math.Round(finite(v) / maxAmount * area))
	}
	centre := (barLeft + barRight) / 2
	span := func(w, y int) image.Rectangle {
		x0 := centre - w/2
		return image.Rect(x0, y-barH/2, x0+w, y+barH/2)
	}
	bars := make([]bar, len(stages))
	for i, s := range stages {
		y := rowCentre(i)
		w := max(scale(s.Amount), minBarW)
		bars[i].outer = span(w, y)
		if iw := min(scale(s.Weighted), w); iw > 0 {
			bars[i].inner = span(iw, y)
		}
	}
	return bars
}

// finite turns negative, NaN and infinite amounts into 0, so that one bad
// number cannot break the scale of every bar.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// drawConnectors shades the gap between neighbouring bars as a trapezoid,
// which is what makes a column of bars read as a funnel.
func drawConnectors(dst *image.RGBA, bars []bar) {
	src := image.NewUniform(colorConnector)
	for i := 0; i+1 < len(bars); i++ {
		top, bot := bars[i].outer, bars[i+1].outer
		gap := image.Rect(0, top.Max.Y, width, bot.Min.Y)
		if gap.Empty() {
			continue
		}
		h := float32(gap.Dy())
		r := vector.NewRasterizer(gap.Dx(), gap.Dy())
		r.MoveTo(float32(top.Min.X), 0)
		r.LineTo(float32(top.Max.X), 0)
		r.LineTo(float32(bot.Max.X), h)
		r.LineTo(float32(bot.Min.X), h)
		r.ClosePath()
		r.Draw(dst, gap, src, image.Point{})
	}
}
