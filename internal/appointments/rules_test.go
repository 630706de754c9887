package appointments_test

import (
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/lang"
)

func TestDefaultRules(t *testing.T) {
	b := refBranch(t, "DSI-HQ")
	n := appointments.Counters(b, "DSI")
	if n != 8 {
		t.Errorf("Counters(DSI-HQ, DSI) = %d, want 8", n)
	}
	if got := appointments.Counters(b, "DSF"); got != 0 {
		t.Errorf("Counters(DSI-HQ, DSF) = %d, want 0", got)
	}
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", n)
	if err := r.Validate(); err != nil {
		t.Fatalf("DefaultRules().Validate() = %v, want nil", err)
	}
	if r.SlotMinutes != 15 || r.Places != 8 || r.Branch != "DSI-HQ" || r.Service != "DSI-BIR-RENEW" {
		t.Errorf("DefaultRules = %+v, want 15-minute slots with 8 places", r)
	}
	if got := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 0).Places; got != 1 {
		t.Errorf("DefaultRules(0 counters).Places = %d, want 1", got)
	}
}

func TestRules_Validate(t *testing.T) {
	docs := lang.Text{ZhHant: "身份證", Pt: "BIR", En: "Identity card"}
	tests := []struct {
		name  string
		edit  func(*appointments.Rules)
		field string // "" = valid
	}{
		{"defaults", func(*appointments.Rules) {}, ""},
		{"no branch", func(r *appointments.Rules) { r.Branch = "" }, "branch"},
		{"bad service", func(r *appointments.Rules) { r.Service = "dsi bir" }, "service"},
		{"slot 5", func(r *appointments.Rules) { r.SlotMinutes = 5 }, ""},
		{"slot 4", func(r *appointments.Rules) { r.SlotMinutes = 4 }, "slot_minutes"},
		{"slot 240", func(r *appointments.Rules) { r.SlotMinutes = 240 }, ""},
		{"slot 241", func(r *appointments.Rules) { r.SlotMinutes = 241 }, "slot_minutes"},
		{"slot 0", func(r *appointments.Rules) { r.SlotMinutes = 0 }, "slot_minutes"},
		{"places 0", func(r *appointments.Rules) { r.Places = 0 }, "places"},
		{"places 100", func(r *appointments.Rules) { r.Places = 100 }, ""},
		{"places 101", func(r *appointments.Rules) { r.Places = 101 }, "places"},
		{"window today only", func(r *appointments.Rules) { r.WindowFrom, r.WindowTo = 0, 0 }, ""},
		{"window negative", func(r *appointments.Rules) { r.WindowFrom = -1 }, "window"},
		{"window reversed", func(r *appointments.Rules) { r.WindowFrom, r.WindowTo = 10, 9 }, "window"},
		{"window 366", func(r *appointments.Rules) { r.WindowTo = 366 }, ""},
		{"window 367", func(r *appointments.Rules) { r.WindowTo = 367 }, "window"},
		{"max per day unlimited", func(r *appointments.Rules) { r.MaxPerDay = 0 }, ""},
		{"max per day negative", func(r *appointments.Rules) { r.MaxPerDay = -1 }, "max_per_day"},
		{"level 0", func(r *appointments.Rules) { r.Level = 0 }, "level"},
		{"level 3", func(r *appointments.Rules) { r.Level = 3 }, ""},
		{"level 4", func(r *appointments.Rules) { r.Level = 4 }, "level"},
		{"documents complete", func(r *appointments.Rules) { r.Documents = docs }, ""},
		{"documents partial", func(r *appointments.Rules) { r.Documents = lang.Text{En: "Identity card"} }, "documents"},
		{"cutoff 0", func(r *appointments.Rules) { r.CancelCutoffMinutes = 0 }, ""},
		{"cutoff 7 days", func(r *appointments.Rules) { r.CancelCutoffMinutes = 7 * 24 * 60 }, ""},
		{"cutoff over 7 days", func(r *appointments.Rules) { r.CancelCutoffMinutes = 7*24*60 + 1 }, "cancel_cutoff"},
		{"cutoff negative", func(r *appointments.Rules) { r.CancelCutoffMinutes = -1 }, "cancel_cutoff"},
		{"no-show disabled", func(r *appointments.Rules) { r.NoShow = appointments.NoShowPolicy{} }, ""},
		{"no-show disabled negative", func(r *appointments.Rules) { r.NoShow = appointments.NoShowPolicy{Count: -1} }, "no_show"},
		{"no-show count 0", func(r *appointments.Rules) { r.NoShow.Count = 0 }, "no_show"},
		{"no-show window 0", func(r *appointments.Rules) { r.NoShow.WindowDays = 0 }, "no_show"},
		{"no-show suspend 367", func(r *appointments.Rules) { r.NoShow.SuspendDays = 367 }, "no_show"},
	}
	for _, tt := range tests {
		r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 8)
		tt.edit(&r)
		err := r.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Invalid || e.Field != tt.field || e.Key != "appointments.invalid.rules" {
			t.Errorf("%s: Validate() = %#v, want Invalid field %q key appointments.invalid.rules", tt.name, err, tt.field)
		}
	}
}

func TestRules_CanCancel(t *testing.T) {
	loc := tzMacau(t)
	start := wall(loc, "2026-12-01 10:00")
	r := appointments.DefaultRules("DSI-HQ", "DSI-BIR-RENEW", 8)
	r.CancelCutoffMinutes = 60
	tests := []struct {
		cutoff int
		now    time.Time
		want   bool
	}{
		{60, wall(loc, "2026-11-30 10:00"), true},
		{60, wall(loc, "2026-12-01 08:59"), true},
		{60, wall(loc, "2026-12-01 09:00"), true}, // exactly at the cut-off
		{60, wall(loc, "2026-12-01 09:00").Add(time.Nanosecond), false},
		{60, wall(loc, "2026-12-01 09:01"), false},
		{60, wall(loc, "2026-12-01 11:00"), false},
		{0, start, true},
		{0, wall(loc, "2026-12-01 10:01"), false},
		{24 * 60, wall(loc, "2026-11-30 10:00").UTC(), true}, // another zone, same instant
		{24 * 60, wall(loc, "2026-11-30 10:01"), false},
	}
	for _, tt := range tests {
		r.CancelCutoffMinutes = tt.cutoff
		if got := r.CanCancel(start, tt.now); got != tt.want {
			t.Errorf("CanCancel(cutoff %d min, start %v, now %v) = %v, want %v", tt.cutoff, start, tt.now, got, tt.want)
		}
	}
}

func TestNoShowPolicy_Suspended(t *testing.T) {
	loc := tzMacau(t)
	now := wall(loc, "2026-12-01 12:00")
	p := appointments.NoShowPolicy{Enabled: true, Count: 3, WindowDays: 180, SuspendDays: 30}
	windowStart := now.AddDate(0, 0, -180)
	days := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	tests := []struct {
		name      string
		policy    appointments.NoShowPolicy
		noShows   []time.Time
		wantUntil time.Time
	}{
		{"none", p, nil, time.Time{}},
		{"two", p, []time.Time{days(1), days(2)}, time.Time{}},
		{"three", p, []time.Time{days(50), days(11), days(20)}, days(11).AddDate(0, 0, 30)},
		{"four, latest counts", p, []time.Time{days(50), days(11), days(20), days(2)}, days(2).AddDate(0, 0, 30)},
		{"oldest exactly at window start", p, []time.Time{windowStart, days(10), days(5)}, days(5).AddDate(0, 0, 30)},
		{"oldest just outside window", p, []time.Time{windowStart.Add(-time.Second), days(10), days(5)}, time.Time{}},
		{"suspension just over", p, []time.Time{days(60), days(40), days(30)}, time.Time{}},
		{"suspension one second left", p, []time.Time{days(60), days(40), days(30).Add(time.Second)}, now.Add(time.Second)},
		{"future no-show ignored", p, []time.Time{days(10), days(5), now.Add(time.Hour)}, time.Time{}},
		{"no-show now counts", p, []time.Time{days(10), days(5), now}, now.AddDate(0, 0, 30)},
		{"disabled", appointments.NoShowPolicy{Count: 3, WindowDays: 180, SuspendDays: 30}, []time.Time{days(3), days(2), days(1)}, time.Time{}},
	}
	for _, tt := range tests {
		until, suspended := tt.policy.Suspended(tt.noShows, now)
		if suspended != !tt.wantUntil.IsZero() || !until.Equal(tt.wantUntil) {
			t.Errorf("%s: Suspended() = %v, %v, want %v, %v", tt.name, until, suspended, tt.wantUntil, !tt.wantUntil.IsZero())
		}
	}
}
