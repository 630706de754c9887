package appointments_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/refdata"
)

func TestBookingRulesFile(t *testing.T) {
	d, err := appointments.ParseRulesData(bytes.NewReader(refdata.BookingYAML()))
	if err != nil {
		t.Fatal(err)
	}
	hq := directory.Branch{Code: "DSI-HQ", Counters: []directory.Counter{{Code: "A", Entity: "DSI"}, {Code: "B", Entity: "DSI"}}}
	r, err := d.Rules(hq, directory.Service{Code: "DSI-BIR-RENEW", Entity: "DSI", Level: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.SlotMinutes != 10 || r.Places != 8 || r.Level != 2 || !strings.Contains(r.Documents.En, "current BIR") ||
		r.WindowTo != 30 || !r.NoShow.Enabled || r.NoShow.WindowDays != 180 {
		t.Errorf("DSI-BIR-RENEW at DSI-HQ: %+v", r)
	}
	other := directory.Branch{Code: "DSAT-MARIA-II", Counters: []directory.Counter{{Code: "A", Entity: "DSAT"}}}
	r, err = d.Rules(other, directory.Service{Code: "DSAT-IDP", Entity: "DSAT"})
	if err != nil || r.SlotMinutes != 15 || r.Places != 3 || r.Level != 1 {
		t.Errorf("defaults: %+v %v", r, err)
	}
	if _, err := appointments.ParseRulesData(strings.NewReader("defaults: {slot_minute: 5}")); err == nil {
		t.Error("a misspelt key was accepted")
	}
	bad, _ := appointments.ParseRulesData(strings.NewReader("defaults: {slot_minutes: 1}"))
	if _, err := bad.Rules(other, directory.Service{Code: "X", Entity: "DSAT"}); err == nil {
		t.Error("a 1-minute slot was accepted")
	}
}

// FuzzParseRulesData: a rules file is outside input; parsing must never
// panic, and whatever parses yields rules that either validate or fail
// with an error.
func FuzzParseRulesData(f *testing.F) {
	f.Add(string(refdata.BookingYAML()))
	f.Add("defaults: {slot_minutes: -5, places_per_counter: 0}")
	f.Add("services: {X: {no_show: {count: 99999}}}")
	b := directory.Branch{Code: "B", Counters: []directory.Counter{{Code: "A", Entity: "E"}}}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := appointments.ParseRulesData(strings.NewReader(s))
		if err != nil {
			return
		}
		r, err := d.Rules(b, directory.Service{Code: "X", Entity: "E"})
		if err == nil && r.Validate() != nil {
			t.Fatalf("rules that do not validate were returned: %+v", r)
		}
	})
}
