package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// report is what a load run measured.
type report struct {
	before, connected, after serverStats
	connect                  time.Duration
	open                     int64
	calls                    []callResult
	// latencies are call-to-arrival delays over all deliveries; slowest
	// is each call's slowest delivery.
	latencies []time.Duration
	slowest   []time.Duration
	missed    int
	failed    int
	firstErr  error
}

// tally matches every open stream's receipts to the calls.
func (r *report) tally(o loadOptions, f *fleet) {
	at := map[string]time.Time{}
	for _, c := range r.calls {
		at[c.Number] = time.Unix(0, c.At)
	}
	r.slowest = make([]time.Duration, len(r.calls))
	for _, s := range f.streams {
		if s == nil {
			continue
		}
		s.mu.Lock()
		if s.err != nil {
			r.failed++
			if r.firstErr == nil {
				r.firstErr = s.err
			}
		}
		got := map[string]time.Time{}
		for _, rc := range s.receipts {
			got[rc.number] = rc.at
		}
		s.mu.Unlock()
		for i, c := range r.calls {
			t, ok := got[c.Number]
			if !ok {
				r.missed++
				continue
			}
			d := t.Sub(at[c.Number])
			r.latencies = append(r.latencies, d)
			r.slowest[i] = max(r.slowest[i], d)
		}
	}
	slices.Sort(r.latencies)
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(p*float64(len(ds))))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func (r *report) print(w io.Writer, o loadOptions) {
	fmt.Fprintf(w, "streams: %d asked, %d open after %.1f s, %d failed", o.streams, r.open, r.connect.Seconds(), r.failed)
	if r.firstErr != nil {
		fmt.Fprintf(w, " (first: %v)", r.firstErr)
	}
	fmt.Fprintf(w, "\ncalls: %d, %v apart; deliveries %d, missed %d\n", len(r.calls), o.every, len(r.latencies), r.missed)
	l := r.latencies
	fmt.Fprintf(w, "broadcast latency, call to arrival on each stream: p50 %s  p90 %s  p99 %s  max %s\n",
		ms(pct(l, .50)), ms(pct(l, .90)), ms(pct(l, .99)), ms(pct(l, 1)))
	fmt.Fprint(w, "slowest delivery of each call:")
	for _, d := range r.slowest {
		fmt.Fprintf(w, " %s", ms(d))
	}
	fmt.Fprintln(w)
	n := max(r.open, 1)
	kib := func(b int64) float64 { return float64(b) / 1024 / float64(n) }
	fmt.Fprintf(w, "server (pid %d) RSS: %.1f MiB before, %.1f MiB with the streams open, %.1f MiB after the calls: %.1f KiB per stream\n",
		r.before.PID, float64(r.before.RSSKiB)/1024, float64(r.connected.RSSKiB)/1024, float64(r.after.RSSKiB)/1024,
		float64(r.connected.RSSKiB-r.before.RSSKiB)/float64(n))
	heap := int64(r.connected.HeapInuse) - int64(r.before.HeapInuse)
	stacks := int64(r.connected.StackInuse) - int64(r.before.StackInuse)
	fmt.Fprintf(w, "server Go heap %.1f KiB + stacks %.1f KiB per stream (after GC); goroutines %d -> %d (%.2f per stream); events dropped for slow streams: %d\n",
		kib(heap), kib(stacks), r.before.Goroutines, r.connected.Goroutines,
		float64(r.connected.Goroutines-r.before.Goroutines)/float64(n), r.after.Dropped)
	cpu, sent := r.after.CPU-r.connected.CPU, r.after.Delivered-r.connected.Delivered
	fmt.Fprintf(w, "server CPU: %.1f s opening the streams, %.1f s during the calls for %d events to streams (%.1f µs each)\n",
		r.connected.CPU-r.before.CPU, cpu, sent, 1e6*cpu/float64(max(sent, 1)))
}
