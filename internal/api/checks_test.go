package api

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// Checks on response bodies, used by the scenarios in api_test.go.

func checkSuccessHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if got := h.Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := h.Get("Cache-Control"); got != "public, max-age=60" {
		t.Errorf("Cache-Control = %q", got)
	}
}

func checkProblem(t *testing.T, h http.Header, body []byte, status int, code apperr.Code) {
	t.Helper()
	if got := h.Get("Content-Type"); got != ProblemContentType {
		t.Errorf("Content-Type = %q, want %q", got, ProblemContentType)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	p := decode[Problem](t, body)
	want := Problem{Type: "urn:oneaccount:problem:" + string(code), Title: http.StatusText(status),
		Status: status, Code: code, Detail: p.Detail, Instance: p.Instance}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("problem (-want +got):\n%s", diff)
	}
	if p.Detail == "" || p.Instance == "" {
		t.Errorf("problem without detail or instance: %+v", p)
	}
	if status == http.StatusMethodNotAllowed && h.Get("Allow") != "GET, HEAD" {
		t.Errorf("Allow = %q, want %q", h.Get("Allow"), "GET, HEAD")
	}
}

func checkEntities(t *testing.T, body []byte) {
	l := decode[EntityList](t, body)
	i := slices.IndexFunc(l.Entities, func(e Entity) bool { return e.Code == "DSI" })
	if i < 0 {
		t.Fatalf("no DSI in %d entities", len(l.Entities))
	}
	e := l.Entities[i]
	if e.Name.ZhHant != "身份證明局" || e.Name.Pt != "Direcção dos Serviços de Identificação" ||
		e.Name.En != "Identification Services Bureau" {
		t.Errorf("DSI name = %+v", e.Name)
	}
	if !slices.Contains(e.Roles, "counter") || e.Website != "https://www.dsi.gov.mo" {
		t.Errorf("DSI = %+v", e)
	}
	if !bytes.Contains(body, []byte(`"zh-Hant":"身份證明局"`)) {
		t.Errorf("names not keyed by language tag: %.200s", body)
	}
}

func checkEntityDSI(t *testing.T, body []byte) {
	d := decode[EntityDetail](t, body)
	if d.Entity.Code != "DSI" {
		t.Errorf("entity = %q", d.Entity.Code)
	}
	want := []string{"DSI-BIR-FIRST", "DSI-BIR-RENEW", "DSI-PASSPORT", "DSI-CRIMINAL-RECORD"}
	if diff := cmp.Diff(want, d.Services); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
	for _, b := range []string{"DSI-HQ", "GSC-MORAIS", "GSC-ISLANDS"} {
		if !slices.Contains(d.Branches, b) {
			t.Errorf("branches %v lack %s", d.Branches, b)
		}
	}
	if slices.Contains(d.Branches, "DSF-FINANCAS") {
		t.Errorf("branches %v include DSF-FINANCAS", d.Branches)
	}
}

func checkServiceCount(n int) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		if l := decode[ServiceList](t, body); len(l.Services) != n {
			t.Errorf("%d services, want %d", len(l.Services), n)
		}
	}
}

func checkServicesOf(entity string, n int) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		l := decode[ServiceList](t, body)
		if len(l.Services) != n {
			t.Errorf("%d services, want %d", len(l.Services), n)
		}
		for _, s := range l.Services {
			if s.Entity != entity {
				t.Errorf("service %s of %s, want %s", s.Code, s.Entity, entity)
			}
		}
	}
}

func checkServiceCodes(want ...string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		l := decode[ServiceList](t, body)
		got := []string{}
		for _, s := range l.Services {
			got = append(got, s.Code)
		}
		if diff := cmp.Diff(append([]string{}, want...), got); diff != "" {
			t.Errorf("services (-want +got):\n%s", diff)
		}
	}
}

func branchCodes(l BranchList) []string {
	var out []string
	for _, b := range l.Branches {
		out = append(out, b.Code)
	}
	return out
}

func checkBranches(t *testing.T, body []byte) {
	l := decode[BranchList](t, body)
	if len(l.Branches) != 15 {
		t.Errorf("%d branches, want 15: %v", len(l.Branches), branchCodes(l))
	}
	for _, b := range l.Branches {
		if b.Closed != (b.Code == "GSC-AREIA-PRETA") {
			t.Errorf("%s closed = %v", b.Code, b.Closed)
		}
	}
}

func checkBranchesOfDSI(t *testing.T, body []byte) {
	got := branchCodes(decode[BranchList](t, body))
	if !slices.Contains(got, "DSI-HQ") || !slices.Contains(got, "GSC-MORAIS") || slices.Contains(got, "DSF-FINANCAS") {
		t.Errorf("branches of DSI = %v", got)
	}
}

func checkBranchDSIHQ(t *testing.T, body []byte) {
	d := decode[BranchDetail](t, body)
	b := d.Branch
	if b.Code != "DSI-HQ" || b.Operator != "DSI" || b.Address.Pt == "" || b.Name.ZhHant != "身份證明局總部" {
		t.Errorf("branch = %+v", b)
	}
	if want := (Status{Open: true, Until: "2026-12-01T18:00:00+08:00"}); d.Status != want {
		t.Errorf("status = %+v, want %+v", d.Status, want)
	}
	if len(b.Hours) != 5 || b.Hours[0] != (Hours{"monday", "09:00", "18:00"}) || b.Hours[4].Weekday != "friday" {
		t.Errorf("hours = %+v", b.Hours)
	}
	if len(b.Counters) != 8 || b.Counters[0].Code != "DSI-01" || b.Counters[0].Name.En == "" {
		t.Errorf("counters = %+v", b.Counters)
	}
	if diff := cmp.Diff([]string{"DSI"}, b.Entities); diff != "" {
		t.Errorf("entities (-want +got):\n%s", diff)
	}
	if len(d.Closures) != 1 || d.Closures[0].Branch != "" || d.Closures[0].Starts != "2026-12-10T10:00:00+08:00" {
		t.Errorf("closures = %+v, want the all-branch typhoon closure", d.Closures)
	}
	if len(d.Holidays) == 0 || d.Holidays[0] != (Holiday{Date: "2026-12-08", Kind: "public", Name: d.Holidays[0].Name}) ||
		d.Holidays[0].Name.En != "Feast of the Immaculate Conception" {
		t.Errorf("holidays = %+v", d.Holidays)
	}
}

func checkLunchHours(t *testing.T, body []byte) {
	h := decode[BranchDetail](t, body).Branch.Hours
	want := []Hours{{"monday", "09:00", "13:00"}, {"monday", "14:30", "17:45"}}
	if len(h) != 10 || !cmp.Equal(want, h[:2]) || h[9] != (Hours{"friday", "14:30", "17:30"}) {
		t.Errorf("hours = %+v", h)
	}
}

func checkClosedByClosure(t *testing.T, body []byte) {
	s := decode[BranchDetail](t, body).Status
	if s.Open || s.Next != "2026-12-01T13:00:00+08:00" || s.Closure == nil || s.Closure.Reason.En != "System maintenance" {
		t.Errorf("status = %+v", s)
	}
}

func checkClosedForGood(t *testing.T, body []byte) {
	d := decode[BranchDetail](t, body)
	if !d.Branch.Closed || d.Status.Open || d.Status.Next != "" || d.Branch.Note == nil || d.Branch.Note.En == "" {
		t.Errorf("branch = %+v, status = %+v", d.Branch, d.Status)
	}
}

func checkOpenAPI(t *testing.T, body []byte) {
	doc := decode[map[string]any](t, body)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
}
