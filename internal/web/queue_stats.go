package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
)

// Queue statistics: a staff page per branch and day with server-rendered
// SVG charts (each with a table of the same figures) and a CSV export, and
// the public open data, which has no personal data.
//
//	GET /staff/queue-stats/{branch}?day=YYYY-MM-DD[&format=csv]
//	GET /open-data/queue/{YYYY-MM-DD}.json

// mountQueueStats registers the statistics page and the open data.
func (w *Web) mountQueueStats(mux *http.ServeMux, page func(string, http.HandlerFunc)) {
	page("GET /staff/queue-stats/{branch}", w.requireUser(w.requireStaff(w.queueStats)))
	mux.HandleFunc("GET /open-data/queue/{file}", w.openData)
}

// statsQueue is one queue's figures as the page shows them, durations
// written out in the page's language.
type statsQueue struct {
	queue.QueueStats
	Name                     lang.Text
	WaitP50T, WaitP90T       string
	ServiceP50T, ServiceP90T string
	Hours                    []statsHour
	Tickets, Waits           chart
}

// statsHour is a row of the hours table.
type statsHour struct {
	Hour             string
	Tickets, NoShows int
	Wait             string
}

// newStatsQueue prepares a queue's figures for the page.
func newStatsQueue(l *Locale, s queue.QueueStats, name lang.Text) statsQueue {
	q := statsQueue{QueueStats: s, Name: name, WaitP50T: duration(l, s.WaitP50), WaitP90T: duration(l, s.WaitP90),
		ServiceP50T: duration(l, s.ServiceP50), ServiceP90T: duration(l, s.ServiceP90),
		Tickets: ticketsChart(l, "chart-tickets-"+s.Queue, l.Text(name), s.ByHour),
		Waits:   waitsChart(l, "chart-waits-"+s.Queue, l.Text(name), s.ByHour)}
	for _, h := range s.ByHour {
		q.Hours = append(q.Hours, statsHour{Hour: fmt.Sprintf("%02d:00", h.Hour), Tickets: h.Tickets, NoShows: h.NoShows,
			Wait: duration(l, h.WaitP50)})
	}
	return q
}

// statsData is the statistics page.
type statsData struct {
	Branch             directory.Branch
	Day, DayText       string
	Prev, Next         string
	PrevText, NextText string
	Today              bool
	Queues             []statsQueue
	CSV                string
}

// statsURL is the statistics page of a branch and day, with extra pairs.
func statsURL(branch string, day directory.Date, pairs ...string) string {
	q := url.Values{"day": {day.String()}}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	return "/staff/queue-stats/" + url.PathEscape(branch) + "?" + q.Encode()
}

// queueStats shows a branch's queue figures of a day, or sends them as CSV
// (format=csv). Staff who do not serve there get the service's 403.
func (w *Web) queueStats(rw http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), r.URL.Query()
	day, err := w.parseDay(q.Get("day"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	b, err := w.opt.Directory.Store().Branch(ctx, r.PathValue("branch"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	stats, err := w.opt.Queue.Stats(ctx, w.staffActor(r), b.Code, day)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if q.Get("format") == "csv" {
		writeStatsCSV(rw, b.Code, day, stats)
		return
	}
	names := map[string]lang.Text{}
	if qs, err := w.opt.Queue.Queues(ctx, b.Code); err == nil {
		for _, q := range qs {
			names[q.Code] = q.Name
		}
	}
	l := w.cat.Locale(w.language(r))
	prev, next := day.AddDays(-1), day.AddDays(1)
	d := &statsData{Branch: b, Day: day.String(), DayText: l.Date(day.In(time.UTC)), Prev: statsURL(b.Code, prev),
		Next: statsURL(b.Code, next), PrevText: l.Date(prev.In(time.UTC)), NextText: l.Date(next.In(time.UTC)),
		Today: day == directory.DateOf(w.opt.Directory.Now()), CSV: statsURL(b.Code, day, "format", "csv")}
	for _, s := range stats {
		n, ok := names[s.Queue]
		if !ok {
			n = lang.Text{ZhHant: s.Queue, Pt: s.Queue, En: s.Queue}
		}
		d.Queues = append(d.Queues, newStatsQueue(l, s, n))
	}
	p := w.newPage(r, "", d)
	p.Title = p.L.T("queue.stats_title", "Branch", p.L.Text(b.Name), "Date", d.DayText)
	p.Sheet = w.static.url("queue.css")
	w.render(rw, r, http.StatusOK, "queue-stats", p)
}

// statsHeader is the CSV's header row.
var statsHeader = []string{"branch", "queue", "day", "hour", "tickets", "served", "no_shows", "cancelled",
	"wait_p50_s", "wait_p90_s", "service_p50_s", "service_p90_s"}

// writeStatsCSV sends the figures as CSV: a row per queue for the whole
// day (hour "all"), then a row per queue and hour.
func writeStatsCSV(rw http.ResponseWriter, branch string, day directory.Date, stats []queue.QueueStats) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(statsHeader)
	for _, s := range stats {
		_ = cw.Write(csvRow(s.Branch, s.Queue, s.Day, "all", s.Tickets, s.Served, s.NoShows, s.Cancelled,
			s.WaitP50, s.WaitP90, s.ServiceP50, s.ServiceP90))
	}
	for _, s := range stats {
		for _, h := range s.ByHour {
			row := csvRow(s.Branch, s.Queue, s.Day, strconv.Itoa(h.Hour), h.Tickets, "", h.NoShows, "", h.WaitP50, "", "", "")
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	name := "queue-stats-" + safeFilePart(branch) + "-" + day.String() + ".csv"
	h := rw.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	_, _ = rw.Write(buf.Bytes())
}

// csvRow turns values into CSV cells safe to open in a spreadsheet.
func csvRow(vals ...any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case int:
			out[i] = strconv.Itoa(x)
		case string:
			out[i] = csvCell(x)
		}
	}
	return out
}

// csvCell defuses a text cell a spreadsheet would run as a formula (CSV
// injection): one starting with = + - @, a tab or a carriage return gets a
// leading apostrophe.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// openDay is the open data's document: every branch's figures of a day.
type openDay struct {
	Day    string             `json:"day"`
	Queues []queue.QueueStats `json:"queues"`
}

// openData serves a past or the current day's public figures as JSON.
func (w *Web) openData(rw http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	day, err := directory.ParseDate(name)
	today := directory.DateOf(w.opt.Directory.Now())
	if !ok || err != nil || today.Before(day) {
		writeJSON(rw, http.StatusNotFound, map[string]string{"error": "not_found", "detail": "want /open-data/queue/YYYY-MM-DD.json for a day not in the future"})
		return
	}
	stats, err := w.opt.Queue.OpenData(r.Context(), day)
	if err != nil {
		w.opt.Log.ErrorContext(r.Context(), "open data", "day", day.String(), "err", err)
		writeJSON(rw, http.StatusInternalServerError, map[string]string{"error": string(apperr.Internal)})
		return
	}
	if stats == nil {
		stats = []queue.QueueStats{}
	}
	maxAge := "3600"
	if day == today {
		maxAge = "60"
	}
	rw.Header().Set("Cache-Control", "public, max-age="+maxAge)
	rw.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(rw, http.StatusOK, openDay{Day: day.String(), Queues: stats})
}

// writeJSON sends v as JSON.
func writeJSON(rw http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(rw, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	_, _ = rw.Write(append(b, '\n'))
}
