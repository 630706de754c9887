package web

import (
	"fmt"
	"math"
	"strconv"

	"github.com/oneaccount/oneaccount/internal/queue"
)

// chart is a bar chart the statistics template draws as SVG: geometry in
// the viewBox's units, worked out here so the template only places it.
// Title and Desc are its text alternative; the page also has a table of
// the same figures.
type chart struct {
	ID, Title, Desc string
	Width, Height   int
	// Left, Right, Top and Base bound the plot area; TickX is where the
	// value labels end, left of it.
	Left, Right, Top, Base, TickX float64
	Bars                          []chartBar
	Ticks                         []chartTick
	Empty                         bool
}

// chartBar is one bar with its label under it and its value above.
type chartBar struct {
	X, Y, W, H   float64
	Mid          float64
	Label, Value string
}

// chartTick is a value line across the plot.
type chartTick struct {
	Y     float64
	Label string
}

// The charts' size in viewBox units, and the margins for the labels.
const (
	chartW, chartH                = 640, 240
	chartLeft, chartRight         = 48, 8
	chartTop, chartBottom         = 16, 28
	chartBarShare         float64 = 0.7
)

// niceScale returns the top of the value axis for a maximum v, and the
// step between its lines: whole numbers up to 5, else 1, 2 or 5 times a
// power of ten.
func niceScale(v float64) (top, step float64) {
	if v <= 5 {
		return math.Max(1, math.Ceil(v)), 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*exp >= v {
			top = m * exp
			break
		}
	}
	if top/exp == 2 {
		return top, top / 4
	}
	return top, top / 5
}

// barChart lays out bars of values over labels; text formats a value.
func barChart(id, title, desc string, labels []string, values []float64, text func(float64) string) chart {
	c := chart{ID: id, Title: title, Desc: desc, Width: chartW, Height: chartH, Left: chartLeft,
		Right: chartW - chartRight, Top: chartTop, Base: chartH - chartBottom, TickX: chartLeft - 6, Empty: len(values) == 0}
	peak := 0.0
	for _, v := range values {
		peak = math.Max(peak, v)
	}
	top, step := niceScale(peak)
	plotH := c.Base - c.Top
	for v := 0.0; v <= top+step/2; v += step {
		c.Ticks = append(c.Ticks, chartTick{Y: c.Base - v/top*plotH, Label: text(v)})
	}
	if c.Empty {
		return c
	}
	slot := (c.Right - c.Left) / float64(len(values))
	for i, v := range values {
		h := v / top * plotH
		x := c.Left + float64(i)*slot + slot*(1-chartBarShare)/2
		c.Bars = append(c.Bars, chartBar{X: x, Y: c.Base - h, W: slot * chartBarShare, H: h,
			Mid: x + slot*chartBarShare/2, Label: labels[i], Value: text(v)})
	}
	return c
}

// hourLabels are the hours of the figures as "09".
func hourLabels(hs []queue.HourStats) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = fmt.Sprintf("%02d", h.Hour)
	}
	return out
}

// ticketsChart is a queue's tickets by hour.
func ticketsChart(l *Locale, id, queueName string, hs []queue.HourStats) chart {
	values := make([]float64, len(hs))
	desc, best := l.T("queue.stats_no_tickets"), -1
	for i, h := range hs {
		values[i] = float64(h.Tickets)
		if best < 0 || h.Tickets > hs[best].Tickets {
			best = i
		}
	}
	if best >= 0 {
		desc = l.T("queue.stats_busiest", "Hour", fmt.Sprintf("%02d:00", hs[best].Hour), "Tickets", hs[best].Tickets)
	}
	return barChart(id, l.T("queue.stats_chart_tickets", "Queue", queueName), desc, hourLabels(hs), values,
		func(v float64) string { return fmt.Sprintf("%.0f", v) })
}

// waitsChart is a queue's median wait by hour, in minutes.
func waitsChart(l *Locale, id, queueName string, hs []queue.HourStats) chart {
	values := make([]float64, len(hs))
	desc, best := l.T("queue.stats_no_tickets"), -1
	for i, h := range hs {
		values[i] = float64(h.WaitP50) / 60
		if best < 0 || h.WaitP50 > hs[best].WaitP50 {
			best = i
		}
	}
	if best >= 0 {
		desc = l.T("queue.stats_longest", "Hour", fmt.Sprintf("%02d:00", hs[best].Hour), "Wait", duration(l, hs[best].WaitP50))
	}
	return barChart(id, l.T("queue.stats_chart_waits", "Queue", queueName), desc, hourLabels(hs), values, minutesText)
}

// minutesText writes minutes as whole numbers, with a tenth under ten.
func minutesText(v float64) string {
	if v < 10 && v != math.Trunc(v) {
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
}

// duration formats seconds as minutes and seconds in the language.
func duration(l *Locale, seconds int) string {
	return l.T("queue.duration", "Min", seconds/60, "Sec", seconds%60)
}
