package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, to make the comparison's database
)

// Plan says what to measure.
type Plan struct {
	// Binary is the tandem binary to measure.
	Binary string
	// Dir keeps the seeded stores between runs: seeding two million
	// contacts takes a while.
	Dir string
	// Sizes are the stores' contacts, smallest first; Sources and Officers
	// the force they belong to (the same at every size: more contacts is
	// more years of history).
	Sizes             []int
	Sources, Officers int
	// Rounds of every figure, and the seconds of each load round.
	Rounds  int
	Seconds int
	// Requests timed per page and round.
	Requests int
	// ImportLines are the lines of each call-record file imported.
	ImportLines int
	// Postgres is a PostgreSQL server's URL whose user may create
	// databases: contact recording is measured there too ("" skips it).
	Postgres string
	// Progress receives a line per step.
	Progress io.Writer
}

// Report is what a run measured.
type Report struct {
	Plan    Plan
	Started time.Time
	Took    time.Duration
	Machine string
	Stores  []*StoreReport
	// Recording are the contact-recording figures, Import the call
	// import's, Postgres PostgreSQL's recording beside SQLite's.
	Recording []Recording
	FlatWrite *FlatWrite
	Import    *ImportReport
	Postgres  []Recording
	// Board is the early-warning board of one unit with two years of
	// history.
	Board *StoreReport
}

// StoreReport is what was measured on one store.
type StoreReport struct {
	Contacts  int
	Seed      string
	ColdStart Spread // milliseconds
	RSS, Peak int64  // bytes, after the pages and the load
	Pages     []Page
	Bytes     int64
}

// Page is one page or list's latency over rounds.
type Page struct {
	Name       string
	P50, P95   Spread // milliseconds
	Target     float64
	Bytes      int64
	Comparable bool
}

// Recording is contact recording at a number of clients, beside the
// ceiling.
type Recording struct {
	Store              string
	Clients            int
	Rate, Ceiling      Spread // requests per second
	P50, P99           Spread // milliseconds
	CeilingP99         Spread
	Failures           int64
	FirstFailure       string
	RatioToCeiling     float64
	RatioToSQLite      float64
	SQLiteRateForRatio float64
}

// FlatWrite is recording for a source with a long history beside one with
// a short one.
type FlatWrite struct {
	Short, Long int
	P50Short    Spread
	P50Long     Spread
	Ratio       float64
}

// ImportReport is the call import's figures.
type ImportReport struct {
	Lines, Kept int
	Took        Spread // seconds
	Rate        Spread // lines per second
	Peak        Spread // MiB
}

func (p *Plan) progress(format string, args ...any) {
	if p.Progress != nil {
		fmt.Fprintf(p.Progress, "bench run: "+format+"\n", args...)
	}
}

// Run measures Tandem as the plan says and returns the report.
func Run(ctx context.Context, p Plan) (*Report, error) {
	r := &Report{Plan: p, Started: time.Now(), Machine: machine()}
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return nil, err
	}
	ceiling, err := Start(ctx, p.Binary, "bench", "ceiling", "--listen", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the ceiling: %w", err)
	}
	defer ceiling.Stop()
	for i, size := range p.Sizes {
		dir := filepath.Join(p.Dir, fmt.Sprintf("contacts-%d", size))
		seed, err := p.ensureSeeded(ctx, dir, "", size)
		if err != nil {
			return nil, err
		}
		sr := &StoreReport{Contacts: size, Seed: seed}
		r.Stores = append(r.Stores, sr)
		srv, err := p.serve(ctx, dir, "", sr)
		if err != nil {
			return nil, err
		}
		f, err := p.newForce(ctx, dir, "", srv)
		if err != nil {
			srv.Stop()
			return nil, err
		}
		if err := p.measurePages(ctx, f, sr); err != nil {
			srv.Stop()
			return nil, err
		}
		recs, err := p.measureRecording(ctx, f, ceiling.URL, fmt.Sprintf("SQLite, %d contacts", size))
		if err != nil {
			srv.Stop()
			return nil, err
		}
		r.Recording = append(r.Recording, recs...)
		if i == 0 {
			if r.FlatWrite, err = p.measureFlatWrite(ctx, f); err != nil {
				srv.Stop()
				return nil, err
			}
		}
		sr.RSS, sr.Peak, _ = srv.Memory()
		if err := srv.Stop(); err != nil {
			return nil, err
		}
		// Cold starts: the server started again, the first answer timed.
		var cold []float64
		cold = append(cold, float64(srv.ColdStart.Microseconds())/1000)
		for j := 1; j < p.Rounds; j++ {
			s, err := Start(ctx, p.Binary, "--data", dir, "serve", "--listen", "127.0.0.1:0")
			if err != nil {
				return nil, err
			}
			cold = append(cold, float64(s.ColdStart.Microseconds())/1000)
			if err := s.Stop(); err != nil {
				return nil, err
			}
		}
		sr.ColdStart = SpreadOf(cold)
		if i == 0 {
			if r.Import, err = p.measureImport(ctx, dir); err != nil {
				return nil, err
			}
		}
	}
	if r.Board, err = p.measureBoard(ctx); err != nil {
		return nil, fmt.Errorf("the board store: %w", err)
	}
	if p.Postgres != "" {
		recs, err := p.measurePostgres(ctx, ceiling.URL)
		if err != nil {
			return nil, err
		}
		r.Postgres = recs
	}
	r.Took = time.Since(r.Started)
	return r, nil
}

// ensureSeeded seeds a store of the plan's force with size contacts,
// unless one is there already.
func (p *Plan) ensureSeeded(ctx context.Context, dir, database string, size int) (string, error) {
	sources, officers := p.Sources, p.Officers
	if database != "" {
		sources, officers = max(1, size/100), max(20, size/500)
	}
	return p.seed(ctx, dir, database, sources, officers, size)
}

// seed seeds a store of the force given, unless one is kept from an
// earlier run (SQLite only: a PostgreSQL database is made for each run).
func (p *Plan) seed(ctx context.Context, dir, database string, sources, officers, size int) (string, error) {
	marker := filepath.Join(dir, "bench-seeded")
	if b, err := os.ReadFile(marker); err == nil && database == "" {
		return strings.TrimSpace(string(b)), nil
	}
	os.RemoveAll(dir)
	p.progress("seeding %d contacts into %s (this takes a while; it is kept for the next run)", size, dir)
	args := []string{"--data", dir}
	if database != "" {
		args = append(args, "--database", database)
	}
	args = append(args, "bench", "seed", "--sources", strconv.Itoa(sources), "--officers", strconv.Itoa(officers),
		"--contacts", strconv.Itoa(size), "--calls", strconv.Itoa(size/4), "--seed", "1")
	out, took, _, err := Exec(ctx, nil, p.Binary, args...)
	if err != nil {
		return "", err
	}
	sum := strings.TrimSpace(out)
	p.progress("%s (%s)", sum, took.Round(time.Second))
	if database == "" {
		if err := os.WriteFile(marker, []byte(sum+"\n"), 0o600); err != nil {
			return "", err
		}
	}
	return sum, nil
}

func (p *Plan) serve(ctx context.Context, dir, database string, sr *StoreReport) (*Server, error) {
	args := []string{"--data", dir}
	if database != "" {
		args = append(args, "--database", database)
	}
	args = append(args, "serve", "--listen", "127.0.0.1:0")
	srv, err := Start(ctx, p.Binary, args...)
	if err != nil {
		return nil, err
	}
	p.progress("serving %s at %s (cold start %s)", dir, srv.URL, srv.ColdStart.Round(time.Millisecond))
	return srv, nil
}

// force is what the measurements act as. The pages are read as a
// handler, the controller and an auditor of unit 001 (the synthetic
// force's officers who can sign in to the web UI); the contacts the
// benchmark records go, through the API, to the sources of a handler of
// unit 002. So no
// page is ever measured on a unit the benchmark has written to: a page
// read after the recording rounds of earlier runs would measure those
// rounds (tens of thousands of contacts in one unit), not the force.
type force struct {
	srv                      *Server
	hc                       *http.Client
	handler, controller, aud *actor
	// sources are the page handler's sources.
	sources []string
	// writer records the benchmark's contacts, for writerSources.
	writer        *actor
	writerID      string
	writerSources []string
}

type actor struct {
	username, token string
	web             *http.Client
}

// The officers of the synthetic force (package synthetic) the benchmark
// acts as.
const (
	pageHandler    = "u001.h01"
	pageController = "u001.ctl"
	pageAuditor    = "aud1"
	writingHandler = "u002.h01"
)

// actor issues an API token to one of the synthetic force's officers and
// signs them in to the web UI.
func (p *Plan) actor(ctx context.Context, dir, database string, srv *Server, username string) (*actor, error) {
	a, err := p.apiActor(ctx, dir, database, username)
	if err != nil {
		return nil, err
	}
	if a.web, err = signIn(ctx, srv.URL, username, "bench-password"); err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", username, err)
	}
	return a, nil
}

// apiActor issues an API token to one of the synthetic force's officers.
func (p *Plan) apiActor(ctx context.Context, dir, database string, username string) (*actor, error) {
	args := []string{"--data", dir}
	if database != "" {
		args = append(args, "--database", database)
	}
	out, _, _, err := Exec(ctx, nil, p.Binary, append(args, "token", "issue", "--username", username, "--ttl", "24h")...)
	if err != nil {
		return nil, err
	}
	return &actor{username: username, token: strings.TrimSpace(out)}, nil
}

func (p *Plan) newForce(ctx context.Context, dir, database string, srv *Server) (*force, error) {
	f := &force{srv: srv, hc: Client(32)}
	mk := func(username string) (*actor, error) { return p.actor(ctx, dir, database, srv, username) }
	var err error
	if f.handler, err = mk(pageHandler); err != nil {
		return nil, err
	}
	if f.controller, err = mk(pageController); err != nil {
		return nil, err
	}
	if f.aud, err = mk(pageAuditor); err != nil {
		return nil, err
	}
	if f.writer, err = p.apiActor(ctx, dir, database, writingHandler); err != nil {
		return nil, err
	}
	if _, f.sources, err = f.handled(ctx, f.handler); err != nil {
		return nil, err
	}
	if f.writerID, f.writerSources, err = f.handled(ctx, f.writer); err != nil {
		return nil, err
	}
	if len(f.sources) == 0 {
		return nil, fmt.Errorf("the handler %s has no source to read", pageHandler)
	}
	if len(f.writerSources) < 3 {
		return nil, fmt.Errorf("the handler %s has %d sources: the benchmark needs 3, two for the flat write and one or more to record with", writingHandler, len(f.writerSources))
	}
	return f, nil
}

// handled returns an officer's id and the sources they handle: the
// handler of the first source listed is taken to be them.
func (f *force) handled(ctx context.Context, a *actor) (string, []string, error) {
	var page struct {
		Sources []struct {
			ID       string `json:"id"`
			Handlers []struct {
				OfficerID string `json:"officer_id"`
				Role      string `json:"role"`
			} `json:"handlers"`
		} `json:"sources"`
	}
	if err := f.getJSON(ctx, a, "/api/v1/sources?limit=200", &page); err != nil {
		return "", nil, err
	}
	var id string
	for _, s := range page.Sources {
		for _, h := range s.Handlers {
			if h.Role == "handler" && id == "" {
				id = h.OfficerID
			}
		}
	}
	var out []string
	for _, s := range page.Sources {
		for _, h := range s.Handlers {
			if h.OfficerID == id {
				out = append(out, s.ID)
				break
			}
		}
	}
	return id, out, nil
}

// contacts counts a source's contacts, a page of 200 at a time.
func (f *force) contacts(ctx context.Context, a *actor, source string) (int, error) {
	n, after := 0, ""
	for {
		var page struct {
			Contacts []json.RawMessage `json:"contacts"`
			Next     *string           `json:"next"`
		}
		path := "/api/v1/sources/" + source + "/contacts?limit=200"
		if after != "" {
			path += "&after=" + url.QueryEscape(after)
		}
		if err := f.getJSON(ctx, a, path, &page); err != nil {
			return 0, err
		}
		n += len(page.Contacts)
		if page.Next == nil || len(page.Contacts) == 0 {
			return n, nil
		}
		after = *page.Next
	}
}

var loginToken = regexp.MustCompile(`name="login_token" value="([^"]+)"`)

// signIn signs in to the web UI as a browser would and returns a client
// holding the session.
func signIn(ctx context.Context, base, username, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	hc := Client(4)
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginToken.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("no sign-in form at /login")
	}
	form := url.Values{"login_token": {html.UnescapeString(string(m[1]))}, "username": {username}, "password": {password}, "next": {"/"}}
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = hc.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		return nil, fmt.Errorf("sign-in answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return hc, nil
}

func (f *force) getJSON(ctx context.Context, a *actor, path string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := f.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, bytes.TrimSpace(b))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// pageSpec is a page or list to time: through the API with a token, or as
// a page with a session.
type pageSpec struct {
	name   string
	as     func(f *force) *actor
	api    bool
	path   func(f *force) string
	target float64 // ms at p95; 0 for none named
}

var pages = []pageSpec{
	{"API: a handler's sources", handlerOf, true, fixed("/api/v1/sources"), 0},
	{"API: a source", handlerOf, true, firstSource("/api/v1/sources/%s"), 50},
	{"API: a source's newest contacts", handlerOf, true, firstSource("/api/v1/sources/%s/contacts"), 50},
	{"API: the unit's open alerts", controllerOf, true, fixed("/api/v1/alerts?status=open"), 100},
	{"API: the force's alerts (auditor)", auditorOf, true, fixed("/api/v1/alerts"), 100},
	{"API: the unit's compliance (12 weeks)", controllerOf, true, fixed("/api/v1/compliance"), 100},
	{"API: the force's compliance (auditor)", auditorOf, true, fixed("/api/v1/compliance"), 100},
	{"API: the unit's early warning, two years", controllerOf, true, fixed("/api/v1/early-warning?days=730"), 200},
	{"API: the audit trail's first page", auditorOf, true, fixed("/api/v1/audit?limit=50"), 0},
	{"page: My sources", handlerOf, false, fixed("/sources"), 0},
	{"page: Sources (controller)", controllerOf, false, fixed("/sources"), 0},
	{"page: a source", handlerOf, false, firstSource("/sources/%s"), 50},
	{"page: Alerts", controllerOf, false, fixed("/alerts"), 100},
	{"page: Compliance", controllerOf, false, fixed("/compliance"), 100},
	{"page: Early warning, two years", controllerOf, false, fixed("/early-warning?days=730"), 200},
	{"page: Audit trail", auditorOf, false, fixed("/audit"), 0},
}

// boardPages are the board store's: the unit's controller's board, over
// the default window and over the whole two years.
var boardPages = []pageSpec{
	{"API: the unit's early warning, 90 days (the default window)", controllerOf, true, fixed("/api/v1/early-warning?days=90"), 200},
	{"page: Early warning, 90 days (the default window)", controllerOf, false, fixed("/early-warning?days=90"), 200},
	{"API: the unit's early warning, two years", controllerOf, true, fixed("/api/v1/early-warning?days=730"), 200},
	{"page: Early warning, two years", controllerOf, false, fixed("/early-warning?days=730"), 200},
}

func handlerOf(f *force) *actor    { return f.handler }
func controllerOf(f *force) *actor { return f.controller }
func auditorOf(f *force) *actor    { return f.aud }
func fixed(p string) func(*force) string {
	return func(*force) string { return p }
}
func firstSource(format string) func(*force) string {
	return func(f *force) string { return fmt.Sprintf(format, f.sources[0]) }
}

func (p *Plan) measurePages(ctx context.Context, f *force, sr *StoreReport) error {
	return p.measure(ctx, f, sr, pages)
}

// measure times each of specs over the rounds.
func (p *Plan) measure(ctx context.Context, f *force, sr *StoreReport, specs []pageSpec) error {
	for _, spec := range specs {
		a := spec.as(f)
		var p50, p95 []float64
		var size int64
		for round := 0; round < p.Rounds; round++ {
			s, n, err := Time(ctx, pick(spec.api, f, a), p.Requests, func(int) *http.Request {
				req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+spec.path(f), nil)
				if spec.api {
					req.Header.Set("Authorization", "Bearer "+a.token)
				}
				return req
			}, 200)
			if err != nil {
				return fmt.Errorf("%s: %w", spec.name, err)
			}
			p50 = append(p50, float64(s.Quantile(0.5).Microseconds())/1000)
			p95 = append(p95, float64(s.Quantile(0.95).Microseconds())/1000)
			size = n
		}
		pg := Page{Name: spec.name, P50: SpreadOf(p50), P95: SpreadOf(p95), Target: spec.target, Bytes: size}
		sr.Pages = append(sr.Pages, pg)
		p.progress("%d contacts: %s p50 %s p95 %s (%d bytes)", sr.Contacts, spec.name, ms(pg.P50.Median), ms(pg.P95.Median), size)
	}
	return nil
}

func pick(api bool, f *force, a *actor) *http.Client {
	if api {
		return f.hc
	}
	return a.web
}

// contactRequest is a request to record a phone contact the writing
// handler took, an hour ago, with one of their sources.
func contactRequest(base string, f *force, c, i int, source string) *http.Request {
	body := fmt.Sprintf(`{"kind":"phone","occurred_at":%q,"officer_ids":[%q],"summary":"bench: call %d of client %d, tasking reviewed"}`,
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), f.writerID, i, c)
	req, _ := http.NewRequest("POST", base+"/api/v1/sources/"+source+"/contacts", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.writer.token)
	req.Header.Set("Content-Type", "application/json")
	return req
}

func (p *Plan) measureRecording(ctx context.Context, f *force, ceilingURL, store string) ([]Recording, error) {
	var out []Recording
	for _, clients := range []int{1, 16} {
		rec := Recording{Store: store, Clients: clients}
		var rate, ceil, p50, p99, cp99 []float64
		for round := 0; round < p.Rounds; round++ {
			d := time.Duration(p.Seconds) * time.Second
			// The first two of the writer's sources are the flat write's.
			srcs := f.writerSources[2:]
			cr := Load(ctx, f.hc, clients, d, func(c, i int) (*http.Request, int) {
				return contactRequest(ceilingURL, f, c, i, srcs[(c+i)%len(srcs)]), http.StatusCreated
			})
			tr := Load(ctx, f.hc, clients, d, func(c, i int) (*http.Request, int) {
				return contactRequest(f.srv.URL, f, c, i, srcs[(c+i)%len(srcs)]), http.StatusCreated
			})
			rate, ceil = append(rate, tr.Rate()), append(ceil, cr.Rate())
			p50 = append(p50, float64(tr.Latency.Quantile(0.5).Microseconds())/1000)
			p99 = append(p99, float64(tr.Latency.Quantile(0.99).Microseconds())/1000)
			cp99 = append(cp99, float64(cr.Latency.Quantile(0.99).Microseconds())/1000)
			rec.Failures += tr.Failures + cr.Failures
			if rec.FirstFailure == "" {
				rec.FirstFailure = tr.FirstFailure + cr.FirstFailure
			}
			p.progress("%s, %d client(s), round %d: %.0f contacts/s (ceiling %.0f/s), p99 %s", store, clients, round+1, tr.Rate(), cr.Rate(), ms(p99[len(p99)-1]))
		}
		rec.Rate, rec.Ceiling, rec.P50, rec.P99, rec.CeilingP99 = SpreadOf(rate), SpreadOf(ceil), SpreadOf(p50), SpreadOf(p99), SpreadOf(cp99)
		if rec.Ceiling.Median > 0 {
			rec.RatioToCeiling = rec.Rate.Median / rec.Ceiling.Median
		}
		out = append(out, rec)
	}
	return out, nil
}

// measureFlatWrite gives one of the writing handler's sources a long
// history (topped up to at least 2,000 contacts) and times recording a
// contact for it beside one with a short history, one request after the
// other. Neither takes part in the recording load; each run's timing adds
// its requests to both, so the counts reported are read from the store.
func (p *Plan) measureFlatWrite(ctx context.Context, f *force) (*FlatWrite, error) {
	short, long := f.writerSources[0], f.writerSources[1]
	const history = 2000
	have, err := f.contacts(ctx, f.writer, long)
	if err != nil {
		return nil, err
	}
	if have < history {
		p.progress("giving source %s a history of %d contacts", long, history)
		res := LoadN(ctx, f.hc, 16, history-have, func(c, i int) (*http.Request, int) {
			return contactRequest(f.srv.URL, f, c, i, long), http.StatusCreated
		})
		if res.Failures > 0 {
			return nil, fmt.Errorf("giving a source its history: %d of %d requests failed: %s", res.Failures, res.Requests, res.FirstFailure)
		}
	}
	fw := &FlatWrite{}
	if fw.Short, err = f.contacts(ctx, f.writer, short); err != nil {
		return nil, err
	}
	if fw.Long, err = f.contacts(ctx, f.writer, long); err != nil {
		return nil, err
	}
	var ps, pl []float64
	for round := 0; round < p.Rounds; round++ {
		s, _, err := Time(ctx, f.hc, p.Requests, func(i int) *http.Request { return contactRequest(f.srv.URL, f, 0, i, short) }, http.StatusCreated)
		if err != nil {
			return nil, err
		}
		l, _, err := Time(ctx, f.hc, p.Requests, func(i int) *http.Request { return contactRequest(f.srv.URL, f, 0, i, long) }, http.StatusCreated)
		if err != nil {
			return nil, err
		}
		ps = append(ps, float64(s.Quantile(0.5).Microseconds())/1000)
		pl = append(pl, float64(l.Quantile(0.5).Microseconds())/1000)
	}
	fw.P50Short, fw.P50Long = SpreadOf(ps), SpreadOf(pl)
	if fw.P50Short.Median > 0 {
		fw.Ratio = fw.P50Long.Median / fw.P50Short.Median
	}
	return fw, nil
}

// The board store is one unit of 200 sources with two years of history at
// the force's rate (about two contacts a week per source), for the
// early-warning board's own floor.
const (
	boardSources  = 200
	boardOfficers = 20
	boardWeeks    = 104
)

// measureBoard times the early-warning board of a unit of boardSources
// sources with two years of history, on a store of that one unit.
func (p *Plan) measureBoard(ctx context.Context) (*StoreReport, error) {
	dir := filepath.Join(p.Dir, "board-two-years")
	size := 2 * boardWeeks * boardSources
	seed, err := p.seed(ctx, dir, "", boardSources, boardOfficers, size)
	if err != nil {
		return nil, err
	}
	sr := &StoreReport{Contacts: size, Seed: seed}
	srv, err := p.serve(ctx, dir, "", sr)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	ctl, err := p.actor(ctx, dir, "", srv, "u001.ctl")
	if err != nil {
		return nil, err
	}
	f := &force{srv: srv, hc: Client(32), controller: ctl}
	return sr, p.measure(ctx, f, sr, boardPages)
}

// measureImport imports call-record files into the store: each a new
// day's records of the whole force, one line in a hundred a call between
// an officer's work phone and a source's number.
func (p *Plan) measureImport(ctx context.Context, dir string) (*ImportReport, error) {
	ir := &ImportReport{Lines: p.ImportLines}
	var took, rate, peak []float64
	for round := 0; round < p.Rounds; round++ {
		file := filepath.Join(p.Dir, "calls.csv")
		kept, err := p.writeCDR(file, round)
		if err != nil {
			return nil, err
		}
		ir.Kept = kept
		_, t, rss, err := Exec(ctx, nil, p.Binary, "--data", dir, "calls", "import", "--as", "bench.admin", "--format", "asterisk", "--tz", "UTC", file)
		if err != nil {
			return nil, err
		}
		took = append(took, t.Seconds())
		rate = append(rate, float64(p.ImportLines)/t.Seconds())
		peak = append(peak, float64(rss)/(1<<20))
		p.progress("import of %d lines (%d kept): %s, %.0f lines/s, %.0f MiB", p.ImportLines, kept, t.Round(time.Millisecond), rate[len(rate)-1], peak[len(peak)-1])
	}
	os.Remove(filepath.Join(p.Dir, "calls.csv"))
	ir.Took, ir.Rate, ir.Peak = SpreadOf(took), SpreadOf(rate), SpreadOf(peak)
	return ir, nil
}

// writeCDR writes an Asterisk Master.csv of the plan's lines: the last
// twenty hours of a force's PBX, one line in a hundred between an
// officer's work phone and a source's number (as bench seed numbers them).
func (p *Plan) writeCDR(path string, round int) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	end := time.Now().UTC().Add(-time.Hour)
	start := end.Add(-20 * time.Hour)
	step := (20 * time.Hour) / time.Duration(max(1, p.ImportLines))
	var salt [4]byte
	rand.Read(salt[:])
	kept := 0
	for i := 0; i < p.ImportLines; i++ {
		at := start.Add(time.Duration(i) * step)
		var src, dst string
		if i%100 == 0 {
			src = fmt.Sprintf("+441632%06d", 3+i/100%max(1, p.Officers-3))
			dst = fmt.Sprintf("+447700%06d", 1+i/100%max(1, p.Sources))
			kept++
		} else {
			src, dst = fmt.Sprintf("07911%06d", (i*7919)%1000000), fmt.Sprintf("020%08d", (i*104729)%100000000)
		}
		billsec := (i * 37) % 900
		ans := ""
		if billsec > 0 {
			ans = `"` + at.Add(5*time.Second).Format("2006-01-02 15:04:05") + `"`
		}
		disp := "ANSWERED"
		if billsec == 0 {
			disp = "NO ANSWER"
		}
		fmt.Fprintf(w, `"","%s","%s","from-internal","""Caller"" <%s>","SIP/7001-%08x","SIP/trunk-%08x","Dial","SIP/trunk/%s,60,tT","%s",%s,"%s",%d,%d,"%s","DOCUMENTATION","%d.%d.%s"`+"\n",
			src, dst, src, i, i+1, dst, at.Format("2006-01-02 15:04:05"), ans, at.Add(time.Duration(billsec+5)*time.Second).Format("2006-01-02 15:04:05"),
			billsec+5, billsec, disp, at.Unix(), round, hex.EncodeToString(salt[:]))
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return kept, f.Close()
}

// measurePostgres measures contact recording on PostgreSQL and on SQLite,
// each on a store of the same small force.
func (p *Plan) measurePostgres(ctx context.Context, ceilingURL string) ([]Recording, error) {
	const size = 20000
	admin, err := url.Parse(p.Postgres)
	if err != nil {
		return nil, err
	}
	var b [4]byte
	rand.Read(b[:])
	name := "tandem_bench_" + hex.EncodeToString(b[:])
	if err := createDatabase(ctx, p.Postgres, name); err != nil {
		return nil, err
	}
	db := *admin
	db.Path = "/" + name
	var out []Recording
	for _, which := range []string{"PostgreSQL", "SQLite"} {
		dir := filepath.Join(p.Dir, "compare-"+strings.ToLower(which))
		database := ""
		if which == "PostgreSQL" {
			database = db.String()
		}
		os.RemoveAll(filepath.Join(dir, "bench-seeded"))
		if _, err := p.ensureSeeded(ctx, dir, database, size); err != nil {
			return nil, err
		}
		srv, err := p.serve(ctx, dir, database, &StoreReport{})
		if err != nil {
			return nil, err
		}
		f, err := p.newForce(ctx, dir, database, srv)
		if err != nil {
			srv.Stop()
			return nil, err
		}
		recs, err := p.measureRecording(ctx, f, ceilingURL, fmt.Sprintf("%s, %d contacts", which, size))
		srv.Stop()
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	for i := range out[:2] {
		if s := out[i+2].Rate.Median; s > 0 {
			out[i].RatioToSQLite, out[i].SQLiteRateForRatio = out[i].Rate.Median/s, s
		}
	}
	return out, nil
}

// machine describes the machine the figures come from.
func machine() string {
	cpus := 0
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "processor") {
				cpus++
			}
			if strings.HasPrefix(line, "model name") && model == "" {
				model = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0]); len(f) >= 2 {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			mem = fmt.Sprintf("%d GiB", kb>>20)
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s", cpus, model, mem)
}

// createDatabase creates a database on a PostgreSQL server.
func createDatabase(ctx context.Context, adminURL, name string) error {
	db, err := sql.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `CREATE DATABASE `+name)
	return err
}
