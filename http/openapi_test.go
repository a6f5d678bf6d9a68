package http

import (
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"tandem"
)

// openAPIMethods are the HTTP methods an OpenAPI path item may hold.
var openAPIMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

// openAPIPathParam matches a {name} template in a path.
var openAPIPathParam = regexp.MustCompile(`\{([^{}]+)\}`)

// openAPIWord matches one word of a summary or description.
var openAPIWord = regexp.MustCompile(`[a-z0-9_]+`)

func openAPIServer() *Server {
	return NewServer(Services{}, slog.New(slog.NewTextHandler(io.Discard, nil)), tandem.SystemClock{})
}

// openAPIDoc parses the embedded spec into a generic structure.
func openAPIDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatalf("the embedded openapi.json does not parse: %v", err)
	}
	return doc
}

// openAPIOperation is one operation of the spec.
type openAPIOperation struct {
	Method, Path string
	Op           map[string]any
	PathItem     map[string]any
}

func openAPIOperations(t *testing.T, doc map[string]any) []openAPIOperation {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatalf("the spec has no paths object")
	}
	var out []openAPIOperation
	for p, item := range paths {
		pi, ok := item.(map[string]any)
		if !ok {
			t.Errorf("path %s is not an object", p)
			continue
		}
		for k, v := range pi {
			if !openAPIMethods[k] {
				continue
			}
			op, ok := v.(map[string]any)
			if !ok {
				t.Errorf("%s %s is not an object", strings.ToUpper(k), p)
				continue
			}
			out = append(out, openAPIOperation{Method: strings.ToUpper(k), Path: p, Op: op, PathItem: pi})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// openAPIResolve follows a local JSON pointer ("#/a/b") through doc.
func openAPIResolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#") {
		return nil, false
	}
	ptr := strings.TrimPrefix(ref, "#")
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	var cur any = doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// openAPIRefs collects every $ref in v, with where it was found.
func openAPIRefs(v any, at string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "$ref" {
				if s, ok := e.(string); ok {
					out[at+"/$ref"] = s
					continue
				}
			}
			openAPIRefs(e, at+"/"+k, out)
		}
	case []any:
		for i, e := range x {
			openAPIRefs(e, at+"/"+strconv.Itoa(i), out)
		}
	}
}

// openAPIWords splits text into words of lowercase letters, digits and
// underscores, so that "handler" is not found inside "co_handler".
func openAPIWords(text string) map[string]bool {
	words := map[string]bool{}
	for _, w := range openAPIWord.FindAllString(strings.ToLower(text), -1) {
		words[w] = true
	}
	return words
}

func TestOpenAPI_MatchesRoutes(t *testing.T) {
	doc := openAPIDoc(t)
	if v, _ := doc["openapi"].(string); v != "3.1.0" {
		t.Errorf(`"openapi" is %q, want "3.1.0"`, v)
	}
	ops := openAPIOperations(t, doc)

	// The set of (METHOD, path) in the spec is exactly the set of routes.
	routes := map[string]RouteInfo{}
	for _, r := range openAPIServer().Routes() {
		key := r.Method + " " + r.Pattern
		if _, dup := routes[key]; dup {
			t.Errorf("route %s is registered twice", key)
		}
		routes[key] = r
	}
	inSpec := map[string]openAPIOperation{}
	for _, o := range ops {
		inSpec[o.Method+" "+o.Path] = o
	}
	for key := range routes {
		if _, ok := inSpec[key]; !ok {
			t.Errorf("route %s is not in openapi.json", key)
		}
	}
	for key := range inSpec {
		if _, ok := routes[key]; !ok {
			t.Errorf("openapi.json describes %s, which the server does not register", key)
		}
	}

	// Every operation has an operationId, unique across the document.
	ids := map[string]string{}
	for _, o := range ops {
		key := o.Method + " " + o.Path
		id, _ := o.Op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", key)
			continue
		}
		if prev, dup := ids[id]; dup {
			t.Errorf("operationId %q is used by both %s and %s", id, prev, key)
		}
		ids[id] = key
	}

	// Every operation says which roles may call it, and public routes need
	// no credentials while the rest do.
	for _, o := range ops {
		key := o.Method + " " + o.Path
		r, ok := routes[key]
		if !ok {
			continue
		}
		summary, _ := o.Op["summary"].(string)
		description, _ := o.Op["description"].(string)
		if summary == "" {
			t.Errorf("%s has no summary", key)
		}
		words := openAPIWords(summary + " " + description)
		for _, role := range r.Roles {
			if !words[string(role)] {
				t.Errorf("%s: neither summary nor description names role %q (roles: %v)", key, role, r.Roles)
			}
		}
		sec, hasSec := o.Op["security"].([]any)
		switch {
		case r.Public && (!hasSec || len(sec) != 0):
			t.Errorf("%s is public: its operation needs security: []", key)
		case !r.Public && hasSec && len(sec) == 0:
			t.Errorf("%s needs credentials, but its operation says security: []", key)
		}
		if _, ok := o.Op["responses"].(map[string]any); !ok {
			t.Errorf("%s has no responses", key)
		}
	}

	// Every {name} in a path is a required path parameter of its operation.
	for _, o := range ops {
		key := o.Method + " " + o.Path
		declared := map[string]bool{}
		for _, src := range []map[string]any{o.PathItem, o.Op} {
			params, _ := src["parameters"].([]any)
			for _, p := range params {
				pm, _ := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					if v, ok := openAPIResolve(doc, ref); ok {
						pm, _ = v.(map[string]any)
					}
				}
				if in, _ := pm["in"].(string); in == "path" {
					name, _ := pm["name"].(string)
					if req, _ := pm["required"].(bool); !req {
						t.Errorf("%s: path parameter %q is not required", key, name)
					}
					declared[name] = true
				}
			}
		}
		for _, m := range openAPIPathParam.FindAllStringSubmatch(o.Path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter %q is not declared", key, m[1])
			}
			delete(declared, m[1])
		}
		for name := range declared {
			t.Errorf("%s: declares path parameter %q that is not in the path", key, name)
		}
	}

	// Every $ref resolves inside the document.
	refs := map[string]string{}
	openAPIRefs(doc, "#", refs)
	if len(refs) == 0 {
		t.Errorf("the spec has no $ref at all: the response schemas belong under components/schemas")
	}
	for at, ref := range refs {
		if _, ok := openAPIResolve(doc, ref); !ok {
			t.Errorf("%s: $ref %q does not resolve inside the document", at, ref)
		}
	}

	// The schemas the API's responses are named by are all there.
	schemas, _ := openAPIResolve(doc, "#/components/schemas")
	sm, _ := schemas.(map[string]any)
	for _, name := range []string{"Officer", "Training", "Source", "Identity", "Assignment", "Meeting", "Contact",
		"Amendment", "Risk", "Alert", "Finding", "Compliance", "AuditEvent", "ContactPage", "Error"} {
		if _, ok := sm[name]; !ok {
			t.Errorf("components/schemas has no %s", name)
		}
	}

	// No identity field is ever part of a Source.
	if src, ok := sm["Source"].(map[string]any); ok {
		props, _ := src["properties"].(map[string]any)
		for _, f := range []string{"legal_name", "aliases", "date_of_birth", "address", "phone_numbers", "recruitment_circumstances"} {
			if _, ok := props[f]; ok {
				t.Errorf("the Source schema carries identity field %s", f)
			}
		}
		if ap, ok := src["additionalProperties"].(bool); !ok || ap {
			t.Errorf("the Source schema must say additionalProperties: false")
		}
	}
}

func TestOpenAPI_Served(t *testing.T) {
	s := openAPIServer()
	req := httptest.NewRequest(http.MethodGet, APIBase+"/openapi.json", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s/openapi.json: status %d, want 200; body %s", APIBase, rec.Code, rec.Body.String())
	}
	mt, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if err != nil || mt != "application/json" {
		t.Errorf("Content-Type is %q, want application/json", rec.Header().Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("the served spec does not parse: %v", err)
	}
	if v, _ := doc["openapi"].(string); v != "3.1.0" {
		t.Errorf(`the served spec's "openapi" is %q, want "3.1.0"`, v)
	}
}
