package api

import (
	"bytes"
	"fmt"
	"github.com/oneaccount/oneaccount/internal/identity"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL is where the test compiler files the embedded document, so that
// "#/components/schemas/..." references resolve within it.
const docURL = "https://oneaccount.invalid/api/v1/openapi.json"

// operationMethods are the OpenAPI path item keys that are operations.
var operationMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadDoc(t *testing.T) map[string]any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(openapiDoc))
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		t.Fatal("openapi.json is not an object")
	}
	return doc
}

// documentedRoutes lists every path and operation of the document.
func documentedRoutes(t *testing.T, doc map[string]any) []Route {
	var out []Route
	for path, item := range obj(t, doc, "paths") {
		for _, m := range operationMethods {
			if _, ok := item.(map[string]any)[m]; ok {
				out = append(out, Route{Method: strings.ToUpper(m), Path: path})
			}
		}
	}
	return out
}

// TestOpenAPIDescribesEveryRoute fails when Routes and the document drift:
// a route without an operation, or an operation without a route.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := loadDoc(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	if _, ok := doc["servers"]; ok {
		t.Error("servers given: paths are absolute from the API's own origin")
	}
	byKey := func(a, b Route) int { return strings.Compare(a.Method+" "+a.Path, b.Method+" "+b.Path) }
	routes := New(nil, slog.Default()).Routes()
	documented := documentedRoutes(t, doc)
	slices.SortFunc(routes, byKey)
	slices.SortFunc(documented, byKey)
	if diff := cmp.Diff(routes, documented); diff != "" {
		t.Errorf("Routes() (-) and openapi.json (+) differ:\n%s", diff)
	}
}

// TestOpenAPISchemasCompile compiles every component schema, which checks
// it against the JSON Schema 2020-12 meta-schema and resolves its $refs.
func TestOpenAPISchemasCompile(t *testing.T) {
	c := newCompiler(t, loadDoc(t))
	for name := range obj(t, obj(t, loadDoc(t), "components"), "schemas") {
		if _, err := c.Compile(docURL + "#/components/schemas/" + name); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
}

func newCompiler(t *testing.T, doc map[string]any) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, doc); err != nil {
		t.Fatal(err)
	}
	return c
}

// responseSchema returns the compiled schema the document gives for an
// operation's response with this status and media type: the exact status,
// else its range ("4XX"), else "default".
func responseSchema(t *testing.T, c *jsonschema.Compiler, doc map[string]any,
	rt Route, status int, mediaType string) *jsonschema.Schema {
	t.Helper()
	op := obj(t, obj(t, obj(t, doc, "paths"), rt.Path), strings.ToLower(rt.Method))
	responses := obj(t, op, "responses")
	ptr := []string{"paths", rt.Path, strings.ToLower(rt.Method), "responses"}
	var resp map[string]any
	for _, key := range []string{fmt.Sprint(status), fmt.Sprintf("%dXX", status/100), "default"} {
		if r, ok := responses[key].(map[string]any); ok {
			resp, ptr = r, append(ptr, key)
			break
		}
	}
	if resp == nil {
		t.Fatalf("%s %s documents no response for %d", rt.Method, rt.Path, status)
	}
	if ref, ok := resp["$ref"].(string); ok {
		ptr = strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		resp = resolve(t, doc, ptr)
	}
	if _, ok := obj(t, resp, "content")[mediaType]; !ok {
		t.Fatalf("%s %s %d: no content for %s", rt.Method, rt.Path, status, mediaType)
	}
	return compileAt(t, c, append(ptr, "content", mediaType, "schema"))
}

// compileAt compiles the schema at a JSON pointer into the document, given
// as unescaped reference tokens.
func compileAt(t *testing.T, c *jsonschema.Compiler, tokens []string) *jsonschema.Schema {
	t.Helper()
	var b strings.Builder
	for _, tok := range tokens {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
	}
	s, err := c.Compile(docURL + "#" + b.String())
	if err != nil {
		t.Fatalf("compile %s: %v", b.String(), err)
	}
	return s
}

// resolve walks already-unescaped pointer tokens from the document root.
func resolve(t *testing.T, doc map[string]any, tokens []string) map[string]any {
	t.Helper()
	cur := doc
	for _, tok := range tokens {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		cur = obj(t, cur, tok)
	}
	return cur
}

func obj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("openapi.json: no object at %q", key)
	}
	return v
}

// samples gives, for each route, real requests and the status each must
// get. Every route must have at least one sample.
var samples = map[Route][]struct {
	target string
	status int
}{
	{"GET", "/api/v1/entities"}:        {{"/api/v1/entities", 200}},
	{"GET", "/api/v1/entities/{code}"}: {{"/api/v1/entities/DSI", 200}, {"/api/v1/entities/NOPE", 404}},
	{"GET", "/api/v1/services"}: {{"/api/v1/services", 200}, {"/api/v1/services?entity=FSS&q=pension", 200},
		{"/api/v1/services?q=no-such-service", 200},
		{"/api/v1/services?entity=NOPE", 404}, {"/api/v1/services?entity=bad", 400}},
	{"GET", "/api/v1/branches"}: {{"/api/v1/branches", 200}, {"/api/v1/branches?entity=PSP", 200},
		{"/api/v1/branches?entity=NOPE", 404}},
	{"GET", "/api/v1/branches/{code}"}: {{"/api/v1/branches/DSI-HQ", 200}, {"/api/v1/branches/GSC-ISLANDS", 200},
		{"/api/v1/branches/GSC-AREIA-PRETA", 200}, {"/api/v1/branches/FSS-ST-LAZARUS", 200},
		{"/api/v1/branches/NOPE", 404}},
	{"GET", "/api/v1/openapi.json"}: {{"/api/v1/openapi.json", 200}},
	{"GET", "/api/v1/me"}:           {{"/api/v1/me", 401}},
	{"POST", "/api/v1/messages"}:    {{"/api/v1/messages", 401}},
	{"GET", "/api/v1/branches/{code}/availability"}: {
		{"/api/v1/branches/DSI-HQ/availability?service=DSI-BIR-RENEW&from=2026-12-01&to=2026-12-31", 200},
		{"/api/v1/branches/DSI-HQ/availability?service=DSI-BIR-RENEW&from=2026-12-31&to=2026-12-01", 400},
		{"/api/v1/branches/DSI-HQ/availability?service=NOPE&from=2026-12-01&to=2026-12-02", 404}},
	{"GET", "/api/v1/branches/{code}/slots"}: {
		{"/api/v1/branches/DSI-HQ/slots?service=DSI-BIR-RENEW&date=2026-12-02", 200},
		{"/api/v1/branches/DSI-HQ/slots?service=DSI-BIR-RENEW&date=2026-13-02", 400},
		{"/api/v1/branches/NOPE/slots?service=DSI-BIR-RENEW&date=2026-12-02", 404}},
	{"POST", "/api/v1/appointments"}:                 {{"/api/v1/appointments", 401}},
	{"GET", "/api/v1/appointments"}:                  {{"/api/v1/appointments", 401}},
	{"GET", "/api/v1/appointments/{id}"}:             {{"/api/v1/appointments/x", 401}},
	{"POST", "/api/v1/appointments/{id}/cancel"}:     {{"/api/v1/appointments/x/cancel", 401}},
	{"POST", "/api/v1/appointments/{id}/reschedule"}: {{"/api/v1/appointments/x/reschedule", 401}},
	// The queue: signed-in routes answer 401 here; queue_test.go validates
	// their real answers against the document.
	{"POST", "/api/v1/tickets"}:              {{"/api/v1/tickets", 401}},
	{"GET", "/api/v1/tickets/{id}"}:          {{"/api/v1/tickets/x", 401}},
	{"POST", "/api/v1/tickets/{id}/cancel"}:  {{"/api/v1/tickets/x/cancel", 401}},
	{"GET", "/api/v1/branches/{code}/queue"}: {{"/api/v1/branches/DSI-HQ/queue", 200}, {"/api/v1/branches/NOPE/queue", 404}},
	{"GET", "/api/v1/branches/{code}/queue/events"}: {{"/api/v1/branches/NOPE/queue/events", 404},
		{"/api/v1/branches/bad/queue/events", 404}},
	{"POST", "/api/v1/counters/{counter}/open"}:      {{"/api/v1/counters/DSI-HQ.DSI-01/open", 401}},
	{"POST", "/api/v1/counters/{counter}/close"}:     {{"/api/v1/counters/DSI-HQ.DSI-01/close", 401}},
	{"POST", "/api/v1/counters/{counter}/call-next"}: {{"/api/v1/counters/DSI-HQ.DSI-01/call-next", 401}},
	{"POST", "/api/v1/tickets/{id}/recall"}:          {{"/api/v1/tickets/x/recall", 401}},
	{"POST", "/api/v1/tickets/{id}/no-show"}:         {{"/api/v1/tickets/x/no-show", 401}},
	{"POST", "/api/v1/tickets/{id}/reinstate"}:       {{"/api/v1/tickets/x/reinstate", 401}},
	{"POST", "/api/v1/tickets/{id}/park"}:            {{"/api/v1/tickets/x/park", 401}},
	{"POST", "/api/v1/tickets/{id}/resume"}:          {{"/api/v1/tickets/x/resume", 401}},
	{"POST", "/api/v1/tickets/{id}/transfer"}:        {{"/api/v1/tickets/x/transfer", 401}},
	{"POST", "/api/v1/tickets/{id}/complete"}:        {{"/api/v1/tickets/x/complete", 401}},
	{"POST", "/api/v1/tickets/{id}/class"}:           {{"/api/v1/tickets/x/class", 401}},
}

// TestResponsesMatchOpenAPI makes real requests for every route and
// validates each body against the schema the document gives for its status
// and content type. The schemas require their properties and forbid others,
// so a renamed or added field fails here.
func TestResponsesMatchOpenAPI(t *testing.T) {
	a, h := newTestAPI(t)
	doc := loadDoc(t)
	c := newCompiler(t, doc)
	for _, rt := range a.Routes() {
		if len(samples[rt]) == 0 {
			t.Errorf("no sample request for %s %s: add one", rt.Method, rt.Path)
		}
		for _, s := range samples[rt] {
			rec := do(h, rt.Method, s.target)
			if rec.Code != s.status {
				t.Errorf("%s %s: status %d, want %d", rt.Method, s.target, rec.Code, s.status)
				continue
			}
			schema := responseSchema(t, c, doc, rt, rec.Code, mediaType(t, rec.Header()))
			validate(t, schema, rec.Body.Bytes(), s.target)
		}
	}
	problem := compileAt(t, c, []string{"components", "schemas", "Problem"})
	for _, target := range []string{"/api/v1/nope", "/api/v1/entities/DSI/x"} {
		validate(t, problem, do(h, "GET", target).Body.Bytes(), target)
	}
	validate(t, problem, do(h, "POST", "/api/v1/entities").Body.Bytes(), "POST /api/v1/entities")
}

// TestSchemasRejectDrift proves the validation above has teeth: a renamed,
// missing or extra field, or a wrong language key, fails.
func TestSchemasRejectDrift(t *testing.T) {
	_, h := newTestAPI(t)
	c := newCompiler(t, loadDoc(t))
	schema := compileAt(t, c, []string{"components", "schemas", "BranchDetail"})
	good := do(h, "GET", "/api/v1/branches/DSI-HQ").Body.String()
	validate(t, schema, []byte(good), "DSI-HQ")
	for name, bad := range map[string]string{
		"renamed":  strings.Replace(good, `"operator":`, `"operatorCode":`, 1),
		"language": strings.Replace(good, `"zh-Hant":`, `"zh":`, 1),
		"weekday":  strings.Replace(good, `"monday"`, `"Monday"`, 1),
		"extra":    strings.Replace(good, `"closed":`, `"extra":1,"closed":`, 1),
		"time":     strings.Replace(good, `"until":"2026-12-01T18:00:00+08:00"`, `"until":"18:00"`, 1),
	} {
		if bad == good {
			t.Fatalf("%s: replacement did not apply", name)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if schema.Validate(inst) == nil {
			t.Errorf("%s: drifted body still validates", name)
		}
	}
}

func mediaType(t *testing.T, h http.Header) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	return mt
}

func validate(t *testing.T, s *jsonschema.Schema, body []byte, what string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: body is not JSON: %v", what, err)
		return
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s: body does not match the document:\n%v\nbody: %.400s", what, err, body)
	}
}

// TestMeMatchesOpenAPI signs a staff member in through a fake
// authenticator and validates /me against the document.
func TestMeMatchesOpenAPI(t *testing.T) {
	a, h := newTestAPI(t)
	a.SetAuthenticator(func(*http.Request) (identity.Account, error) {
		return identity.Account{ID: "abc", Kind: identity.Staff, NameLatin: "Ana", Assurance: identity.Level2,
			Entity: "DSI", Roles: []identity.Role{identity.IdentityVerifier}}, nil
	})
	rec := do(h, "GET", "/api/v1/me")
	if rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("/me = %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	c := newCompiler(t, loadDoc(t))
	validate(t, compileAt(t, c, []string{"components", "schemas", "Me"}), rec.Body.Bytes(), "/me")
	if !strings.Contains(rec.Body.String(), `"roles":["identity-verifier"]`) {
		t.Errorf("/me body = %s", rec.Body.String())
	}
}
