package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// FuzzDecodeBody feeds arbitrary bodies to the staff actions' decoder:
// it returns the named member's non-empty value or an Invalid error, and
// never panics.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"{}", ""}, {`{"queue":"B"}`, "queue"}, {`{"queue":""}`, "queue"},
		{`{"outcome":"served","x":"y"}`, "outcome"}, {`{"class":1}`, "class"}, {"null", ""}, {"[]", "counter"},
		{`{"queue":"B"}`, ""}, {" \n", "outcome"}, {`{"outcome":"\u0000"}`, "outcome"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, body, field string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		required := len(body)%2 == 0 // both ways, from one corpus
		got, err := decodeBody(r, field, required)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("decodeBody(%q, %q): code %q, want invalid", body, field, apperr.CodeOf(err))
			}
			return
		}
		if required && got == "" {
			t.Errorf("decodeBody(%q, %q) accepted an empty required %s", body, field, field)
		}
		if field == "" && got != "" {
			t.Errorf("decodeBody(%q, %q) = %q from an action without a member", body, field, got)
		}
	})
}

// FuzzTakeTicket sends arbitrary bodies to POST /api/v1/tickets as a
// signed-in resident through the real handler stack: the answer is 201,
// 400, 404 or 409 with a JSON body, never 5xx.
func FuzzTakeTicket(f *testing.F) {
	for _, s := range []string{`{"branch":"DSI-HQ","queue":"A"}`, `{"branch":"DSI-HQ","queue":"B"}`, `{"branch":"NOPE","queue":"A"}`,
		`{"branch":"DSI-HQ","queue":"a"}`, `{"branch":"","queue":""}`, `{`, `[]`, `null`, `{"branch":"DSI-HQ","queue":"A","x":1}`,
		`{"branch":"DSI-HQ\u0000","queue":"A"}`, `{"branch":"DSI-HQ","queue":"` + strings.Repeat("A", 300) + `"}`} {
		f.Add(s)
	}
	a, h, st := newTestAPIStore(f)
	newPeople(f, a, st)
	f.Fuzz(func(t *testing.T, body string) {
		rec := send(t, h, call{who: "ana", method: http.MethodPost, target: "/api/v1/tickets", body: body})
		switch rec.Code {
		case http.StatusCreated, http.StatusBadRequest, http.StatusNotFound, http.StatusConflict:
		default:
			t.Fatalf("body %q: status %d\n%s", body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("body %q: answer is not JSON: %s", body, rec.Body)
		}
	})
}
