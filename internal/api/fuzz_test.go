package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
)

// FuzzParseServicesQuery feeds raw query strings to the parser: it either
// returns a well-formed query or an Invalid error, and never panics.
func FuzzParseServicesQuery(f *testing.F) {
	for _, s := range []string{"", "entity=DSI", "q=passport", "entity=DSI&q=BIR+renew",
		"entity=dsi", "entity=A&entity=B", "q=%zz", "q=%E8%AD%B7%E7%85%A7", "q=%ff%fe", ";;&=&q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseServicesQuery(raw)
		if err != nil {
			if code := apperr.CodeOf(err); code != apperr.Invalid {
				t.Fatalf("parseServicesQuery(%q): code %q, want invalid", raw, code)
			}
			return
		}
		if q.Entity != "" && !directory.ValidCode(q.Entity) {
			t.Errorf("parseServicesQuery(%q): entity %q is not a code", raw, q.Entity)
		}
		if utf8.RuneCountInString(q.Text) > maxText || !utf8.ValidString(q.Text) {
			t.Errorf("parseServicesQuery(%q): text %q passed", raw, q.Text)
		}
	})
}

// FuzzServicesQuery sends arbitrary entity and q values through the real
// handler stack: the answer is 200, 400 or 404 with a JSON body, never 5xx.
func FuzzServicesQuery(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"DSI", ""}, {"", "passport"}, {"NOPE", "x"},
		{"dsi", ""}, {"DSI", "護照"}, {"", "\xff"}, {"DSI-", "%"}, {"", "' OR 1=1 --"}} {
		f.Add(s[0], s[1])
	}
	_, h := newTestAPI(f)
	f.Fuzz(func(t *testing.T, entity, q string) {
		v := url.Values{}
		if entity != "" {
			v.Set("entity", entity)
		}
		v.Set("q", q)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/services?"+v.Encode(), nil))
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound:
		default:
			t.Fatalf("entity=%q q=%q: status %d\n%s", entity, q, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("entity=%q q=%q: body is not JSON: %s", entity, q, rec.Body)
		}
	})
}
