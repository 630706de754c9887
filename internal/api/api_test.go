package api

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/directory"
)

type scenario struct {
	name   string
	method string
	target string
	status int
	code   apperr.Code              // for problems: the expected code
	check  func(*testing.T, []byte) // for successes: checks on the body
}

func TestScenarios(t *testing.T) {
	_, h := newTestAPI(t)
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			rec := do(h, sc.method, sc.target)
			if rec.Code != sc.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", sc.method, sc.target, rec.Code, sc.status, rec.Body)
			}
			if sc.status >= 400 {
				checkProblem(t, rec.Header(), rec.Body.Bytes(), sc.status, sc.code)
				return
			}
			checkSuccessHeaders(t, rec.Header())
			if sc.check != nil {
				sc.check(t, rec.Body.Bytes())
			}
		})
	}
}

func scenarios() []scenario {
	notFound := func(name, target string) scenario {
		return scenario{name: name, method: "GET", target: target, status: 404, code: apperr.NotFound}
	}
	invalid := func(name, target string) scenario {
		return scenario{name: name, method: "GET", target: target, status: 400, code: apperr.Invalid}
	}
	return []scenario{
		{"entities", "GET", "/api/v1/entities", 200, "", checkEntities},
		{"entity", "GET", "/api/v1/entities/DSI", 200, "", checkEntityDSI},
		notFound("entity unknown", "/api/v1/entities/NOPE"),
		notFound("entity malformed", "/api/v1/entities/dsi"),
		{"services", "GET", "/api/v1/services", 200, "", checkServiceCount(37)},
		{"services of entity", "GET", "/api/v1/services?entity=DSI", 200, "", checkServicesOf("DSI", 4)},
		{"services search en", "GET", "/api/v1/services?q=passport", 200, "", checkServiceCodes("DSI-PASSPORT")},
		{"services search zh", "GET", "/api/v1/services?q=" + "%E8%AD%B7%E7%85%A7", 200, "", checkServiceCodes("DSI-PASSPORT")},
		{"services search and entity", "GET", "/api/v1/services?entity=DSF&q=passport", 200, "", checkServiceCodes()},
		notFound("services unknown entity", "/api/v1/services?entity=NOPE"),
		invalid("services malformed entity", "/api/v1/services?entity=dsi"),
		invalid("services repeated entity", "/api/v1/services?entity=DSI&entity=DSF"),
		invalid("services long q", "/api/v1/services?q="+strings.Repeat("a", maxText+1)),
		{"services long chinese q", "GET", "/api/v1/services?q=" + strings.Repeat("%E8%AD%B7", maxText), 200, "", checkServiceCodes()},
		invalid("services malformed query", "/api/v1/services?q=%zz"),
		{"branches", "GET", "/api/v1/branches", 200, "", checkBranches},
		{"branches of entity", "GET", "/api/v1/branches?entity=DSI", 200, "", checkBranchesOfDSI},
		notFound("branches unknown entity", "/api/v1/branches?entity=NOPE"),
		invalid("branches malformed entity", "/api/v1/branches?entity=D%20SI"),
		{"branch open", "GET", "/api/v1/branches/DSI-HQ", 200, "", checkBranchDSIHQ},
		{"branch lunch hours", "GET", "/api/v1/branches/FSS-ST-LAZARUS", 200, "", checkLunchHours},
		{"branch shut by closure", "GET", "/api/v1/branches/GSC-ISLANDS", 200, "", checkClosedByClosure},
		{"branch closed for good", "GET", "/api/v1/branches/GSC-AREIA-PRETA", 200, "", checkClosedForGood},
		notFound("branch unknown", "/api/v1/branches/NOPE"),
		{"openapi", "GET", "/api/v1/openapi.json", 200, "", checkOpenAPI},
		{"head", "HEAD", "/api/v1/entities", 200, "", nil},
		notFound("unknown path", "/api/v1/nope"),
		notFound("unknown nested path", "/api/v1/entities/DSI/extra"),
		notFound("trailing slash", "/api/v1/entities/"),
		notFound("api root", "/api/v1"),
		{"post to get route", "POST", "/api/v1/entities", 405, apperr.Invalid, nil},
		{"delete branch", "DELETE", "/api/v1/branches/DSI-HQ", 405, apperr.Invalid, nil},
		{"put services", "PUT", "/api/v1/services?entity=DSI", 405, apperr.Invalid, nil},
	}
}

func TestStatusOf(t *testing.T) {
	want := map[apperr.Code]int{
		apperr.NotFound: 404, apperr.Invalid: 400, apperr.Conflict: 409, apperr.Forbidden: 403,
		apperr.Unauthenticated: 401, apperr.TooMany: 429, apperr.Unavailable: 503,
		apperr.Internal: 500, "": 500, "something_new": 500,
	}
	for code, status := range want {
		if got := StatusOf(code); got != status {
			t.Errorf("StatusOf(%q) = %d, want %d", code, got, status)
		}
	}
}

// failingStore fails every read, as a lost database would.
type failingStore struct{ directory.Store }

var errDatabaseDown = errors.New("dial tcp 10.0.0.7:5432: connection refused")

func (failingStore) Entities(context.Context) ([]directory.Entity, error) {
	return nil, errDatabaseDown
}

func (failingStore) Entity(context.Context, string) (directory.Entity, error) {
	return directory.Entity{}, &apperr.Error{Code: apperr.Unavailable, Detail: "the directory is unavailable", Err: errDatabaseDown}
}

func TestServerErrorsHideTheCause(t *testing.T) {
	var logs bytes.Buffer
	dir := directory.New(failingStore{}, macau(t), func() time.Time { return testNow(t) })
	h := mount(New(dir, slog.New(slog.NewJSONHandler(&logs, nil))))
	for _, tc := range []struct {
		target string
		status int
		code   apperr.Code
		detail string
	}{
		{"/api/v1/entities", 500, apperr.Internal, genericDetail},
		{"/api/v1/entities/DSI", 503, apperr.Unavailable, "the directory is unavailable"},
	} {
		logs.Reset()
		rec := do(h, "GET", tc.target)
		if rec.Code != tc.status {
			t.Fatalf("GET %s: status %d, want %d", tc.target, rec.Code, tc.status)
		}
		checkProblem(t, rec.Header(), rec.Body.Bytes(), tc.status, tc.code)
		if p := decode[Problem](t, rec.Body.Bytes()); p.Detail != tc.detail {
			t.Errorf("detail = %q, want %q", p.Detail, tc.detail)
		}
		if strings.Contains(rec.Body.String(), "10.0.0.7") {
			t.Errorf("the cause leaked to the client: %s", rec.Body)
		}
		if !strings.Contains(logs.String(), "10.0.0.7") {
			t.Errorf("the cause was not logged: %s", logs.String())
		}
	}
}

func TestRoutesUnique(t *testing.T) {
	a := New(nil, slog.Default())
	seen := map[Route]bool{}
	for _, r := range a.Routes() {
		if seen[r] {
			t.Errorf("route %v listed twice", r)
		}
		seen[r] = true
		if !strings.HasPrefix(r.Path, Prefix+"/") {
			t.Errorf("route %v outside %s", r, Prefix)
		}
	}
}
