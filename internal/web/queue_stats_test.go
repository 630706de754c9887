package web

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
)

func TestCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"A", "A"},
		{"DSI-HQ", "DSI-HQ"},
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := csvCell(tt.in); got != tt.want {
			t.Errorf("csvCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteStatsCSV(t *testing.T) {
	stats := []queue.QueueStats{{Branch: "=cmd|' /C calc'!A0", Queue: "A", Day: "2026-03-02", Tickets: 3, Served: 2, NoShows: 1,
		WaitP50: 300, WaitP90: 600, ServiceP50: 120, ServiceP90: 240,
		ByHour: []queue.HourStats{{Hour: 9, Tickets: 2, WaitP50: 240, NoShows: 1}, {Hour: 10, Tickets: 1, WaitP50: 360}}}}
	rec := httptest.NewRecorder()
	writeStatsCSV(rec, "DSI-HQ", directory.Date{Year: 2026, Month: 3, Day: 2}, stats)
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="queue-stats-DSI-HQ-2026-03-02.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	want := [][]string{
		statsHeader,
		{"'=cmd|' /C calc'!A0", "A", "2026-03-02", "all", "3", "2", "1", "0", "300", "600", "120", "240"},
		{"'=cmd|' /C calc'!A0", "A", "2026-03-02", "9", "2", "", "1", "", "240", "", "", ""},
		{"'=cmd|' /C calc'!A0", "A", "2026-03-02", "10", "1", "", "0", "", "360", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("CSV has %d rows, want %d:\n%v", len(rows), len(want), rows)
	}
	for i := range want {
		if strings.Join(rows[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
		}
	}
}

func TestKioskPhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"  ", "", true},
		{"6612 3456", "+85366123456", true},
		{"6612-3456", "+85366123456", true},
		{"+853 6612 3456", "+85366123456", true},
		{"852 9123 4567", "+85291234567", true},
		{"1234", "", false},
		{"66123456x", "", false},
		{"=1+1", "", false},
	}
	for _, tt := range tests {
		got, ok := kioskPhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("kioskPhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNiceScale(t *testing.T) {
	tests := []struct{ in, top, step float64 }{
		{0, 1, 1}, {1, 1, 1}, {3.2, 4, 1}, {5, 5, 1}, {6, 10, 2}, {12, 20, 5}, {47, 50, 10}, {100, 100, 20}, {101, 200, 50},
	}
	for _, tt := range tests {
		if top, step := niceScale(tt.in); top != tt.top || step != tt.step {
			t.Errorf("niceScale(%v) = %v, %v; want %v, %v", tt.in, top, step, tt.top, tt.step)
		}
	}
}

// svgDoc is enough of an SVG document to check a chart's structure.
type svgDoc struct {
	Role       string `xml:"role,attr"`
	LabelledBy string `xml:"aria-labelledby,attr"`
	Title      struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"title"`
	Desc struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"desc"`
	Rects []struct{} `xml:"rect"`
	Texts []string   `xml:"text"`
}

func TestStatsChartSVG(t *testing.T) {
	w, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := w.cat.Locale(lang.En)
	hs := []queue.HourStats{{Hour: 9, Tickets: 4, WaitP50: 300}, {Hour: 10, Tickets: 12, WaitP50: 900}, {Hour: 11, Tickets: 0}}
	for _, c := range []chart{ticketsChart(l, "chart-tickets-A", "Identity cards", hs), waitsChart(l, "chart-waits-A", "Identity cards", hs)} {
		var buf bytes.Buffer
		if err := w.pages["queue-stats"].ExecuteTemplate(&buf, "chart", c); err != nil {
			t.Fatal(err)
		}
		var doc svgDoc
		if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("%s is not well-formed SVG: %v\n%s", c.ID, err, buf.String())
		}
		if doc.Role != "img" || doc.LabelledBy != c.ID+"-title "+c.ID+"-desc" || doc.Title.ID != c.ID+"-title" || doc.Desc.ID != c.ID+"-desc" {
			t.Errorf("%s: role %q, labelled by %q, title id %q, desc id %q", c.ID, doc.Role, doc.LabelledBy, doc.Title.ID, doc.Desc.ID)
		}
		if len(doc.Rects) != len(hs) {
			t.Errorf("%s has %d bars, want %d", c.ID, len(doc.Rects), len(hs))
		}
		for i, b := range c.Bars {
			if b.Y < c.Top-0.01 || b.Y+b.H > c.Base+0.01 || b.X < c.Left || b.X+b.W > c.Right {
				t.Errorf("%s: bar %d (%+v) leaves the plot area", c.ID, i, b)
			}
		}
		if !strings.Contains(strings.Join(doc.Texts, " "), "10") {
			t.Errorf("%s: no hour label 10 in %q", c.ID, doc.Texts)
		}
	}
	tc := ticketsChart(l, "t", "Q", hs)
	if tc.Title != "Q: tickets by hour" || tc.Desc != "The busiest hour began at 10:00, with 12 tickets. The table below gives every hour." {
		t.Errorf("tickets chart text: %q / %q", tc.Title, tc.Desc)
	}
	if tc.Bars[1].H <= tc.Bars[0].H || tc.Bars[2].H != 0 {
		t.Errorf("bar heights do not follow the values: %+v", tc.Bars)
	}
	if wc := waitsChart(l, "w", "Q", hs); wc.Desc != "The longest median wait was in the hour from 10:00: 15 min 0 s. The table below gives every hour." {
		t.Errorf("waits chart desc %q", wc.Desc)
	}
	if empty := ticketsChart(l, "e", "Q", nil); !empty.Empty || len(empty.Bars) != 0 || empty.Desc != "No tickets this day." {
		t.Errorf("empty chart %+v", empty)
	}
}
