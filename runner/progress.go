package runner

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progress shows what the run is doing: mpb bars on a terminal, plain
// lines otherwise (CI logs, pipes), so a long step is never silent.
type progress struct {
	w   io.Writer
	mpb *mpb.Progress
	mu  sync.Mutex
}

func newProgress(w io.Writer, interactive bool) *progress {
	p := &progress{w: w}
	if interactive {
		p.mpb = mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(200*time.Millisecond))
	}
	return p
}

// Logf prints one status line above the bars.
func (p *progress) Logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...) + "\n"
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mpb != nil {
		_, _ = p.mpb.Write([]byte(line))
		return
	}
	_, _ = io.WriteString(p.w, line)
}

// Bar starts the display of one cell.
func (p *progress) Bar(label string) *bar {
	b := &bar{p: p, label: label, start: time.Now()}
	if p.mpb != nil {
		b.b = p.mpb.AddBar(0,
			mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.CurrentNoUnit("%d ops"), decor.Name(" "), decor.Elapsed(decor.ET_STYLE_GO)),
			mpb.BarRemoveOnComplete())
	} else {
		p.Logf("%s ...", label)
	}
	return b
}

// Close waits for the bars to finish drawing.
func (p *progress) Close() {
	if p.mpb != nil {
		p.mpb.Shutdown()
	}
}

// bar is one cell's display; Add is called from many goroutines.
type bar struct {
	p     *progress
	b     *mpb.Bar
	label string
	start time.Time
}

// Add counts n more operations done.
func (b *bar) Add(n int64) {
	if b.b != nil {
		b.b.IncrInt64(n)
	}
}

// Done ends the display with a one-line summary.
func (b *bar) Done(summary string) {
	if b.b != nil {
		b.b.Abort(true)
	}
	b.p.Logf("%s: done in %.1fs  %s", b.label, time.Since(b.start).Seconds(), summary)
}
