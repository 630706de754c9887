package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/oneaccount/oneaccount/internal/app"
	"github.com/oneaccount/oneaccount/internal/config"
)

const (
	// overallTimeout bounds a whole test function, browser included, so a
	// hang fails the test instead of blocking the run.
	overallTimeout = 3 * time.Minute
	// tabTimeout bounds the work done in one tab (one subtest).
	tabTimeout = time.Minute
	// pageWeightBudget is the most CSS and JavaScript the home page may
	// download, compressed.
	pageWeightBudget = 150 * 1024
)

// languages are the site's languages as the /lang/{tag} route takes them.
var languages = []string{"zh-Hant", "pt", "en"}

// autonyms are the names the language switch must list, in every language.
var autonyms = []string{"中文", "Português", "English"}

// axeTags are the axe-core rule tags checked: WCAG 2.0, 2.1 and 2.2, levels
// A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// startSite builds the platform on a fresh SQLite database, exactly as the
// binary does, and serves it. It returns the base URL.
func startSite(t *testing.T) string {
	t.Helper()
	a := buildApp(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "e2e.db"))
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// buildApp builds and starts the platform with the given settings, as the
// binary does, and closes it when the test ends.
func buildApp(t *testing.T, args ...string) *app.App {
	t.Helper()
	return buildAppAt(t, nil, args...)
}

// buildAppAt is buildApp with the platform's clock (nil: the wall clock).
func buildAppAt(t *testing.T, now func() time.Time, args ...string) *app.App {
	t.Helper()
	cfg, _, err := config.Load("serve", args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(cfg, log, now)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatalf("start app: %v", err)
	}
	return a
}

// chromiumPath finds the browser: ONEACCOUNT_CHROMIUM, else the usual names
// in PATH. It skips the test when there is none, except on CI, where the
// browser tests must run.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ONEACCOUNT_CHROMIUM"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("ONEACCOUNT_CHROMIUM=%q: %v", p, err)
		}
		return found
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if found, err := exec.LookPath(name); err == nil {
			return found
		}
	}
	const msg = "no Chromium found (tried ONEACCOUNT_CHROMIUM, /usr/bin/chromium, chromium, chromium-browser, google-chrome in PATH)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run the browser tests")
	}
	t.Skip(msg + "; install Chromium or set ONEACCOUNT_CHROMIUM to run the browser tests")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile and returns its
// context. The browser and everything in it end after overallTimeout, and
// when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	execPath := chromiumPath(t)
	profile := t.TempDir() // removed after the browser has stopped (cleanups run last-in first-out)

	ctx, cancelTimeout := context.WithTimeout(context.Background(), overallTimeout)
	t.Cleanup(cancelTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// /dev/shm is tiny in many containers; Chromium crashes when it fills.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	// The first run starts the browser and binds it to browserCtx; it must
	// not get a shorter deadline, or the browser would stop with it.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start %s: %v", execPath, err)
	}
	return browserCtx
}

// newTab opens a tab in the browser, closed when the test ends. Everything
// done in it is bounded by tabTimeout.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancelTimeout := context.WithTimeout(browser, tabTimeout)
	t.Cleanup(cancelTimeout)
	tab, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return tab
}

// openIn sets the language cookie through /lang/{tag}?next=path, which
// redirects to path, and returns the response of the page finally loaded.
func openIn(ctx context.Context, base, tag, path string) (*network.Response, error) {
	u := base + "/lang/" + tag + "?" + url.Values{"next": {path}}.Encode()
	return chromedp.Run(ctx, chromedp.NavigateResponse(u))
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript returns axe-core's source (testdata/axe.min.js).
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join("testdata", "axe.min.js"))
		axeSource, axeErr = string(b), err
	})
	if axeErr != nil {
		t.Fatalf("read axe-core: %v", axeErr)
	}
	return axeSource
}

// axeViolation is one failed axe rule, trimmed to what a report needs.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Count   int      `json:"count"`
	Targets []string `json:"targets"`
	Summary string   `json:"summary"`
}

// axeResult is what runAxe brings back from the page.
type axeResult struct {
	Version    string         `json:"version"`
	Violations []axeViolation `json:"violations"`
	Incomplete []string       `json:"incomplete"`
	Passes     int            `json:"passes"`
}

// runAxe injects axe-core into the current page and runs the WCAG A/AA
// rules on the whole document. Injecting through the DevTools protocol is
// not subject to the page's Content-Security-Policy.
func runAxe(ctx context.Context, t *testing.T) (axeResult, error) {
	t.Helper()
	// Ending the script with "true" keeps the evaluation's value simple.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeScript(t)+"\n;true")); err != nil {
		return axeResult{}, fmt.Errorf("inject axe-core: %w", err)
	}
	tags := `['` + strings.Join(axeTags, `','`) + `']`
	script := `axe.run(document, {runOnly: {type: 'tag', values: ` + tags + `}}).then(r => ({
		version: r.testEngine.version,
		violations: r.violations.map(v => ({
			id: v.id,
			impact: v.impact || '',
			help: v.help,
			helpUrl: v.helpUrl,
			count: v.nodes.length,
			targets: v.nodes.slice(0, 5).map(n => n.target.flat(Infinity).join(' >>> ')),
			summary: v.nodes.length ? (v.nodes[0].failureSummary || '') : '',
		})),
		incomplete: r.incomplete.map(v => v.id + ' (' + v.nodes.length + ')'),
		passes: r.passes.length,
	}))`
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return axeResult{}, fmt.Errorf("run axe-core: %w", err)
	}
	return res, nil
}

// saveScreenshot writes a full-page PNG of the current page into the
// directory ONEACCOUNT_SCREENSHOTS, when that is set.
func saveScreenshot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("ONEACCOUNT_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("screenshot dir: %v", err)
		return
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot saved to %s", p)
}

// TestAccessibility loads every kind of page in every language and checks
// the page language, the skip link, the language switch, and that axe-core
// finds no WCAG 2.2 A/AA violation.
func TestAccessibility(t *testing.T) {
	browser := newBrowser(t)
	base := startSite(t)
	pages := []struct {
		name, path string
		status     int
		screenshot bool
	}{
		{"home", "/", http.StatusOK, true},
		{"search", "/?q=passport", http.StatusOK, false},
		{"entity", "/entities/DSI", http.StatusOK, false},
		{"branch-FSS-ST-LAZARUS", "/branches/FSS-ST-LAZARUS", http.StatusOK, true},
		{"branch-GSC-MORAIS", "/branches/GSC-MORAIS", http.StatusOK, false},
		{"not-found", "/nowhere", http.StatusNotFound, false},
	}
	// The subtests share the browser's cookie jar, so they run one after
	// the other: each sets the language cookie before loading its page.
	for _, tag := range languages {
		for _, p := range pages {
			t.Run(tag+"/"+p.name, func(t *testing.T) {
				ctx := newTab(t, browser)
				resp, err := openIn(ctx, base, tag, p.path)
				if err != nil {
					t.Fatalf("load %s: %v", p.path, err)
				}
				if resp == nil || resp.Status != int64(p.status) {
					var got any = "no response"
					if resp != nil {
						got = resp.Status
					}
					t.Errorf("status of %s = %v, want %d", p.path, got, p.status)
				}
				if p.screenshot {
					saveScreenshot(ctx, t, p.name+"-"+tag)
				}

				htmlLang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
				if err != nil {
					t.Fatalf("read html lang: %v", err)
				}
				if htmlLang != tag {
					t.Errorf("<html lang> = %q, want %q", htmlLang, tag)
				}

				skip, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
					`!!document.querySelector('a.govuk-skip-link[href="#main-content"]') && !!document.getElementById('main-content')`))
				if err != nil {
					t.Fatalf("look for the skip link: %v", err)
				}
				if !skip {
					t.Error(`no skip link a.govuk-skip-link[href="#main-content"] pointing at an element #main-content`)
				}

				names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
					`Array.from(document.querySelectorAll('nav.oa-lang-switch [lang]'), e => e.textContent.trim())`))
				if err != nil {
					t.Fatalf("read the language switch: %v", err)
				}
				for _, want := range autonyms {
					if !slices.Contains(names, want) {
						t.Errorf("language switch lists %q, want it to include %q", names, want)
					}
				}

				res, err := runAxe(ctx, t)
				if err != nil {
					t.Fatal(err)
				}
				if res.Passes == 0 {
					t.Fatalf("axe-core %s passed no rule at all; did it run?", res.Version)
				}
				review := "none"
				if len(res.Incomplete) > 0 {
					review = strings.Join(res.Incomplete, ", ")
				}
				t.Logf("axe-core %s: %d rules passed, %d violated; needs manual review (not failures): %s",
					res.Version, res.Passes, len(res.Violations), review)
				for _, v := range res.Violations {
					t.Errorf("axe violation %s [%s] on %s (%s): %s\n\t%d node(s), first: %s\n\t%s\n\tsee %s",
						v.ID, v.Impact, p.path, tag, v.Help, v.Count, strings.Join(v.Targets, " | "),
						strings.ReplaceAll(v.Summary, "\n", "\n\t"), v.HelpURL)
				}
			})
		}
	}
}

// TestSearchForm submits the home page's search form in the browser, as a
// visitor would, and checks the results page it leads to.
func TestSearchForm(t *testing.T) {
	browser := newBrowser(t)
	base := startSite(t)
	ctx := newTab(t, browser)
	if _, err := openIn(ctx, base, "en", "/"); err != nil {
		t.Fatalf("load home: %v", err)
	}
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`form[role=search] #q`)),
		chromedp.Clear(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "passport"),
	)
	if err != nil {
		t.Fatalf("type the query: %v", err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[role=search] button.govuk-button`)))
	if err != nil {
		t.Fatalf("submit the search form: %v", err)
	}
	if resp == nil || resp.Status != http.StatusOK {
		t.Errorf("results page response = %+v, want status 200", resp)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("read location: %v", err)
	}
	if !strings.Contains(loc, "q=passport") {
		t.Errorf("URL after submitting = %q, want it to contain q=passport", loc)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#results`)))
	if err != nil {
		t.Fatalf("read the results heading: %v", err)
	}
	if n := regexp.MustCompile(`\d+`).FindString(heading); n != "1" {
		t.Errorf("results heading = %q, want it to count 1 service", heading)
	}
	value, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#q`)))
	if err != nil {
		t.Fatalf("read the search box: %v", err)
	}
	if value != "passport" {
		t.Errorf("search box after submitting = %q, want it to keep %q", value, "passport")
	}
}

// resourceSizes is the CSS and JavaScript a page downloaded, from the
// Resource Timing API.
type resourceSizes struct {
	Resources []struct {
		Name          string `json:"name"`
		Kind          string `json:"kind"`
		TransferSize  int64  `json:"transferSize"`
		EncodedBody   int64  `json:"encodedBodySize"`
		DecodedBody   int64  `json:"decodedBodySize"`
		InitiatorType string `json:"initiatorType"`
	} `json:"resources"`
	Document int64 `json:"document"`
}

// TestPageWeight loads the home page with an empty cache and checks that its
// CSS and JavaScript weigh at most 150 KB as transferred (compressed). It
// measures sizes, not timings.
func TestPageWeight(t *testing.T) {
	browser := newBrowser(t)
	base := startSite(t)
	ctx := newTab(t, browser)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	}))
	if err != nil {
		t.Fatalf("disable the cache: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("load home: %v", err)
	}
	sizes, err := chromedp.Run(ctx, chromedp.Evaluate[resourceSizes](`({
		resources: performance.getEntriesByType('resource').map(e => {
			const path = new URL(e.name).pathname;
			const kind = /\.css$/.test(path) ? 'css'
				: (/\.m?js$/.test(path) || e.initiatorType === 'script') ? 'js' : 'other';
			return {name: e.name, kind, transferSize: e.transferSize, encodedBodySize: e.encodedBodySize,
				decodedBodySize: e.decodedBodySize, initiatorType: e.initiatorType};
		}),
		document: (performance.getEntriesByType('navigation')[0] || {}).transferSize || 0,
	})`))
	if err != nil {
		t.Fatalf("read resource timing: %v", err)
	}
	var transfer, encoded, decoded int64
	var css int
	for _, r := range sizes.Resources {
		t.Logf("resource %s (%s, %s): transferSize %d, encodedBodySize %d, decodedBodySize %d",
			r.Name, r.Kind, r.InitiatorType, r.TransferSize, r.EncodedBody, r.DecodedBody)
		if r.Kind == "other" {
			continue
		}
		if r.Kind == "css" {
			css++
		}
		if r.TransferSize == 0 && r.EncodedBody > 0 {
			t.Errorf("%s came from the cache (transferSize 0), so its size was not measured", r.Name)
		}
		transfer += r.TransferSize
		encoded += r.EncodedBody
		decoded += r.DecodedBody
	}
	if css == 0 {
		t.Fatal("the home page loaded no stylesheet; the measurement is meaningless")
	}
	t.Logf("page weight of /: CSS+JS %d bytes transferred (%.1f KiB), %d bytes encoded body, %d bytes decoded (%.1f KiB); HTML document %d bytes transferred; budget %d bytes",
		transfer, float64(transfer)/1024, encoded, decoded, float64(decoded)/1024, sizes.Document, pageWeightBudget)
	if transfer > pageWeightBudget {
		t.Errorf("CSS+JS transferred = %d bytes, over the budget of %d bytes (150 KB)", transfer, pageWeightBudget)
	}
	if encoded > pageWeightBudget {
		t.Errorf("CSS+JS encoded body = %d bytes, over the budget of %d bytes (150 KB)", encoded, pageWeightBudget)
	}
	if encoded > 0 && encoded >= decoded {
		t.Logf("note: CSS+JS do not look compressed (encoded %d >= decoded %d bytes)", encoded, decoded)
	}
}
