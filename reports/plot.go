package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Every plot must read in greyscale and to colour-blind readers, so a
// series differs from the others by three things at once: colour (the
// Okabe-Ito palette), marker shape and dash pattern.
var (
	palette = []color.Color{
		color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
		color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
		color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
		color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
		color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
		color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
		color.RGBA{0x00, 0x00, 0x00, 0xFF}, // black
	}
	glyphs = []draw.GlyphDrawer{
		draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{},
		draw.RingGlyph{}, draw.PyramidGlyph{}, draw.PlusGlyph{}, draw.BoxGlyph{},
	}
	dashes = [][]vg.Length{
		nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)},
		{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}, {vg.Points(4), vg.Points(4)},
	}
	// tailDashes draws a p99 line against its solid p50 line.
	tailDashes = []vg.Length{vg.Points(5), vg.Points(3)}
)

// Plot geometry and text, in points. Every plot has the same size, so that
// text reads the same size in every one of them; the legend takes what it
// needs on the right and the axes the rest.
const (
	plotWidth   = 680
	plotHeight  = 300
	fontSize    = 10
	titleSize   = 11
	markerCount = 8
)

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// line is one series of a chart.
type line struct {
	Label  string
	Points plotter.XYs
	Style  int // palette, glyph and dash index
	// Stat makes the dash pattern tell statistics apart instead of
	// series: a p50 line solid, a p99 line (Tail) dashed.
	Stat  bool
	Tail  bool
	Steps bool // drawn as a step function (a CDF)
}

// vmark is a labelled vertical line (a break-even point).
type vmark struct {
	X     float64
	Label string
}

// chart is a plot described as data; svg draws it.
type chart struct {
	Title, XLabel, YLabel string
	XLog, YLog            bool
	// XTicks replaces the automatic ticks of the x axis.
	XTicks []plot.Tick
	// YMin0 starts a linear y axis at zero.
	YMin0 bool
	Lines []line
	Marks []vmark
}

// svg renders the chart as a standalone SVG document.
func (c chart) svg() ([]byte, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font = font.From(sans, titleSize)
	p.X.Label.Text, p.Y.Label.Text = c.XLabel, c.YLabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sans, fontSize)
		ax.Tick.Label.Font = font.From(sans, fontSize-1)
	}
	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(sans, fontSize-1)
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = vg.Points(28)
	legend.Padding = vg.Points(3)
	legendWidth := vg.Length(0)
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xE0}
	grid.Horizontal.Color = color.Gray{Y: 0xE0}
	p.Add(grid)

	for _, l := range c.Lines {
		pts := l.Points
		if c.XLog || c.YLog {
			pts = positivePoints(pts, c.XLog, c.YLog)
		}
		if len(pts) == 0 {
			continue
		}
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("plot %q: series %q: %w", c.Title, l.Label, err)
		}
		if l.Steps {
			ln.StepStyle = plotter.PostStep
		}
		ln.LineStyle.Color = palette[l.Style%len(palette)]
		ln.LineStyle.Width = vg.Points(1.4)
		switch {
		case l.Stat && l.Tail:
			ln.LineStyle.Dashes = tailDashes
		case l.Stat:
			ln.LineStyle.Dashes = nil
		default:
			ln.LineStyle.Dashes = dashes[l.Style%len(dashes)]
		}
		sc, err := plotter.NewScatter(markerPoints(pts, l.Style))
		if err != nil {
			return nil, fmt.Errorf("plot %q: series %q: %w", c.Title, l.Label, err)
		}
		sc.GlyphStyle.Shape = glyphs[l.Style%len(glyphs)]
		sc.GlyphStyle.Color = palette[l.Style%len(palette)]
		sc.GlyphStyle.Radius = vg.Points(3)
		p.Add(ln, sc)
		legend.Add(l.Label, ln, sc)
		legendWidth = max(legendWidth, legend.TextStyle.Width(l.Label))
	}
	if legendWidth > 0 {
		legendWidth += legend.ThumbnailWidth + vg.Points(16)
	}
	for _, m := range c.Marks {
		mark, err := verticalMark(p, m)
		if err != nil {
			return nil, fmt.Errorf("plot %q: %w", c.Title, err)
		}
		p.Add(mark...)
	}
	if c.XLog {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
	}
	if c.YLog {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	} else if c.YMin0 {
		p.Y.Min = 0
	}
	if c.XTicks != nil {
		p.X.Tick.Marker = plot.ConstantTicks(c.XTicks)
	}
	if c.XLog && (p.X.Min <= 0 || p.X.Max <= 0) || c.YLog && (p.Y.Min <= 0 || p.Y.Max <= 0) {
		// No positive data: an empty plot on a log axis cannot be drawn.
		return nil, fmt.Errorf("plot %q: no positive values to draw on a log axis", c.Title)
	}
	// A single value (a fan-out swept over N = 1 alone) gives an empty
	// range, which gonum widens by ±1: through zero, which a log axis
	// cannot show. Widen it by a factor instead.
	if c.XLog && p.X.Min == p.X.Max {
		p.X.Min, p.X.Max = p.X.Min/2, p.X.Max*2
	}
	if c.YLog && p.Y.Min == p.Y.Max {
		p.Y.Min, p.Y.Max = p.Y.Min/2, p.Y.Max*2
	}
	canvas := vgsvg.New(vg.Points(plotWidth), vg.Points(plotHeight))
	dc := draw.New(canvas)
	// Paint the legend's side too: a standalone SVG may be shown on a
	// dark background.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	// The legend stands right of the axes, never over the data.
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	legend.Draw(draw.Crop(dc, vg.Points(plotWidth)-legendWidth+vg.Points(8), 0, 0, -vg.Points(24)))
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot %q: %w", c.Title, err)
	}
	return fontFallback(buf.Bytes()), nil
}

// fontFallback lets a viewer without Liberation Sans use a metric-
// compatible face (Arial, Helvetica) instead of its default serif: the
// text was laid out with Liberation's metrics.
func fontFallback(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}

// verticalMark draws a dotted vertical line across the plot's y range
// with its label at the top.
func verticalMark(p *plot.Plot, m vmark) ([]plot.Plotter, error) {
	lo, hi := p.Y.Min, p.Y.Max
	ln, err := plotter.NewLine(plotter.XYs{{X: m.X, Y: lo}, {X: m.X, Y: hi}})
	if err != nil {
		return nil, err
	}
	ln.LineStyle.Color = color.Gray{Y: 0x40}
	ln.LineStyle.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: m.X, Y: hi}}, Labels: []string{m.Label}})
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font = font.From(sans, fontSize-1)
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.TextStyle[i].YAlign = draw.YBottom
	}
	return []plot.Plotter{ln, labels}, nil
}

// markerPoints picks about markerCount points of a series to mark, shifted
// by style so that the markers of overlapping series do not hide each
// other.
func markerPoints(pts plotter.XYs, style int) plotter.XYs {
	if len(pts) <= markerCount {
		return pts
	}
	step := len(pts) / markerCount
	var out plotter.XYs
	for i := (style * step / 3) % step; i < len(pts); i += step {
		out = append(out, pts[i])
	}
	return out
}

// positivePoints drops points that a log axis cannot show.
func positivePoints(pts plotter.XYs, xlog, ylog bool) plotter.XYs {
	out := make(plotter.XYs, 0, len(pts))
	for _, p := range pts {
		if (xlog && p.X <= 0) || (ylog && p.Y <= 0) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// logTicks labels powers of ten, and 2 and 5 times them when the axis
// spans less than three decades, with unlabelled minor ticks between.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= lo {
		return nil
	}
	dense := math.Log10(hi/lo) < 3
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := base * float64(m)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || dense && (m == 2 || m == 5) {
				t.Label = tickLabel(v)
			}
			ticks = append(ticks, t)
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		// A narrow axis within one decade: label every tick.
		for i := range ticks {
			ticks[i].Label = tickLabel(ticks[i].Value)
		}
	}
	return ticks
}

// tickLabel prints a tick value without exponent notation.
func tickLabel(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
