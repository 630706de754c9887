package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/refdata"
	"github.com/oneaccount/oneaccount/internal/store/storetest"
)

// fixedNow is a Monday morning: every counter entity has an open branch.
var fixedNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("MO", 8*3600))

func newTestWeb(t *testing.T) (http.Handler, *directory.Directory) {
	t.Helper()
	s := storetest.SQLite(t)
	ds, err := refdata.Macao()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	loc, err := directory.LoadLocation(directory.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.New(s, loc, func() time.Time { return fixedNow })
	w, err := New(Options{Directory: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	w.Mount(mux)
	return mux, dir
}

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPages(t *testing.T) {
	h, _ := newTestWeb(t)
	tests := []struct {
		name, path  string
		header      []string
		status      int
		contains    []string
		notContains []string
	}{
		{"home en", "/", nil, 200, []string{`<html lang="en"`, "Government services", "Identification Services Bureau", `href="#main-content"`}, nil},
		{"home zh by header", "/", []string{"Accept-Language", "zh-MO,zh;q=0.9"}, 200, []string{`<html lang="zh-Hant"`, "政府服務", "身份證明局"}, nil},
		{"home pt by header", "/", []string{"Accept-Language", "pt-BR"}, 200, []string{`<html lang="pt"`, "Serviços do Governo"}, nil},
		{"cookie beats header", "/", []string{"Accept-Language", "en", "Cookie", "lang=pt"}, 200, []string{`<html lang="pt"`}, nil},
		{"search", "/?q=passport", nil, 200, []string{"1 service", "SAR passport"}, []string{"Tax payment"}},
		{"search zh", "/?q=護照", nil, 200, []string{"SAR passport"}, nil},
		{"filter entity", "/?entity=DSF", nil, 200, []string{"Financial Services Bureau"}, []string{`#service-DSI-`}},
		{"unknown filter ignored", "/?entity=NOPE", nil, 200, []string{`#service-DSI-`}, nil},
		{"no results", "/?q=zzzzqqq", nil, 200, []string{"0 services", "No service matches"}, nil},
		{"entity", "/entities/DSI", nil, 200, []string{"Identification Services Bureau", "Open now, until 18:00"}, nil},
		{"entity unknown", "/entities/NOPE", nil, 404, []string{"Page not found"}, nil},
		{"branch", "/branches/FSS-ST-LAZARUS", nil, 200, []string{"Opening hours", "09:00–13:00, 14:30–17:45", "Open now, until 13:00"}, nil},
		{"branch closed for good", "/branches/GSC-AREIA-PRETA", nil, 200, []string{"Permanently closed"}, nil},
		{"branch pt", "/branches/DSI-HQ", []string{"Cookie", "lang=pt"}, 200, []string{"Horário de funcionamento", "segunda-feira"}, nil},
		{"branch unknown", "/branches/NOPE", nil, 404, []string{"Page not found"}, nil},
		{"branches", "/branches", nil, 200, []string{"Service points", "DSI-HQ"}, nil},
		{"unknown path", "/nowhere", []string{"Accept-Language", "zh-HK"}, 404, []string{"找不到網頁"}, nil},
		{"escapes query", "/?q=%3Cscript%3E", nil, 200, []string{"&lt;script&gt;"}, []string{"<script>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.path, tt.header...)
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Fatalf("GET %s = %d, want %d", tt.path, rec.Code, tt.status)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("GET %s lacks %q", tt.path, s)
				}
			}
			for _, s := range tt.notContains {
				if strings.Contains(body, s) {
					t.Errorf("GET %s contains %q", tt.path, s)
				}
			}
		})
	}
}

func TestLanguageSwitch(t *testing.T) {
	h, _ := newTestWeb(t)
	rec := get(t, h, "/lang/zh-Hant?next=/branches/DSI-HQ")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/branches/DSI-HQ" {
		t.Fatalf("switch = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	c := rec.Result().Cookies()
	if len(c) != 1 || c[0].Value != "zh-Hant" || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie = %+v", c)
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
		rec := get(t, h, "/lang/pt?next="+next)
		if loc := rec.Header().Get("Location"); loc != "/" {
			t.Errorf("switch with next=%q redirects to %q, want /", next, loc)
		}
	}
	if rec := get(t, h, "/lang/fr"); rec.Code != http.StatusNotFound {
		t.Errorf("switch to fr = %d, want 404", rec.Code)
	}
}

func TestBranchShowsComingClosures(t *testing.T) {
	h, dir := newTestWeb(t)
	loc := dir.Location()
	_, err := dir.Store().AddClosure(context.Background(), directory.Closure{
		Branch: "DSI-HQ", Starts: time.Date(2026, 3, 4, 9, 0, 0, 0, loc), Ends: time.Date(2026, 3, 4, 13, 0, 0, 0, loc),
		Reason: lang.Text{ZhHant: "員工培訓", Pt: "Formação", En: "Staff training"},
	})
	if err != nil {
		t.Fatal(err)
	}
	body := get(t, h, "/branches/DSI-HQ").Body.String()
	if !strings.Contains(body, "Wednesday 4 March 2026, 09:00–13:00") || !strings.Contains(body, "Staff training") {
		t.Errorf("branch page does not list the coming closure")
	}
	zh := get(t, h, "/branches/DSI-HQ", "Cookie", "lang=zh-Hant").Body.String()
	if !strings.Contains(zh, "2026年3月4日（星期三） 09:00至13:00") {
		t.Errorf("zh-Hant branch page does not format the closure date in Chinese")
	}
}

func TestStaticAssets(t *testing.T) {
	h, _ := newTestWeb(t)
	rec := get(t, h, "/static/oneaccount.css", "Accept-Encoding", "gzip")
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("css = %d %v", rec.Code, rec.Header())
	}
	if get(t, h, "/static/nope.css").Code != http.StatusNotFound {
		t.Error("unknown asset is not 404")
	}
}
