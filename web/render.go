package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"tandem"
	"tandem/front"
	"tandem/policy"
)

//go:embed all:templates
var templateFS embed.FS

// pages holds each page's template, parsed at start-up with the layout and
// the shared partials.
type pages struct {
	byName map[string]*template.Template
}

func parsePages(a *assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset":         a.URL,
		"when":          when,
		"date":          func(t time.Time) string { return t.Format("2 Jan 2006") },
		"ruleName":      ruleName,
		"indicatorName": indicatorName,
		"join":          strings.Join,
		"pct":           pct,
		"add":           func(a, b int) int { return a + b },
		"hasRole":       func(o *tandem.Officer, r string) bool { return o != nil && o.HasRole(tandem.Role(r)) },
		"duration":      humanDuration,
		"findingsView":  func(fs []tandem.Finding) previewData { return previewData{Findings: fs} },
		"list":          func(xs ...string) []string { return xs },
		"sub":           func(a, b int) int { return a - b },
		"roleName":      roleName,
		"teamFix":       teamFix,
		"shareClass":    shareClass,
		"fixFor":        fixFor,
		"invalid":       invalidAttrs,
		// gate: the navigation offers a page to exactly those its route's
		// gate lets through (policy.Gates, the API's and the pages' table).
		"gate": func(o *tandem.Officer, name string) (bool, error) {
			g, ok := policy.Gates[name]
			if !ok {
				return false, fmt.Errorf("web: no gate %q", name)
			}
			return g.Opens(o), nil
		},
		// indicatorsSet: an amendment that cleared the indicators (an
		// empty list) from one that left them alone (none).
		"indicatorsSet": func(is []tandem.Indicator) bool { return is != nil },
		"fieldError":    fieldError,
		"abs": func(d time.Duration) time.Duration {
			if d < 0 {
				return -d
			}
			return d
		},
		"sumAlerts": func(c *tandem.Compliance) int {
			n := 0
			for _, v := range c.OpenAlerts {
				n += v
			}
			return n
		},
	}
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		file := path.Base(n)
		if strings.HasPrefix(file, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", file, err)
		}
		p.byName[strings.TrimSuffix(file, ".html")] = t
	}
	return p, nil
}

// view is what every page's template receives.
type view struct {
	Title   string
	Nav     string
	Officer *tandem.Officer
	CSRF    string
	Nonce   string
	Demo    bool
	Flash   string
	Now     time.Time
	// OpenAlerts is how many open alerts the officer may see: the count
	// the navigation shows (-1 when it could not be read).
	OpenAlerts int
	Data       any
}

// render writes a page. It renders into a buffer first, so that a failing
// template gives a clean error page, never half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := h.pages.byName[name]
	if !ok {
		h.fail(w, r, fmt.Errorf("web: no page %q", name))
		return
	}
	st := state(r)
	if st != nil {
		v.Nonce = st.nonce
		if st.session != nil {
			v.Officer = st.session.Officer
			v.CSRF = st.session.CSRFToken
		}
		v.Demo = st.demo
	}
	if v.Flash == "" {
		// A fixed message per code: a link cannot put words on the page.
		v.Flash = flashes[r.URL.Query().Get("done")]
	}
	v.Now = h.clock.Now()
	v.OpenAlerts = h.openAlertCount(r, v.Officer)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.log.ErrorContext(r.Context(), "render", "page", name, "error", err.Error(), "request_id", tandem.RequestIDFromContext(r.Context()))
		if status < 500 {
			h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "The page could not be shown. Quote reference "+tandem.RequestIDFromContext(r.Context())+" to your administrator.")
		}
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// openAlertCount counts the open alerts o may see, for the navigation;
// 0 for an officer who sees none, -1 when they could not be counted (the
// page is still shown: the alerts page itself says why).
func (h *Handler) openAlertCount(r *http.Request, o *tandem.Officer) int {
	if o == nil || o.AwaitingConfirmation || !policy.Readers.Opens(o) {
		return 0
	}
	groups, err := h.svc.Alerts.OpenAlertGroups(r.Context(), tandem.AlertFilter{})
	if err != nil {
		h.log.WarnContext(r.Context(), "count open alerts", "error", err.Error(), "request_id", tandem.RequestIDFromContext(r.Context()))
		return -1
	}
	n := 0
	for _, g := range groups {
		n += g.Count
	}
	return n
}

// errorPage shows an error as a page, with the security headers the
// middleware set.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	t := h.pages.byName["error"]
	v := view{Title: title, Data: message, Now: h.clock.Now()}
	if st := state(r); st != nil {
		v.Nonce, v.Demo = st.nonce, st.demo
		if st.session != nil && st.session.Complete() {
			v.Officer = st.session.Officer
			v.CSRF = st.session.CSRFToken
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintln(w, title)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail shows err: a user's error as what it says, an internal one as a
// reference to the log.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	id := tandem.RequestIDFromContext(r.Context())
	switch tandem.ErrorCode(err) {
	case tandem.ENOTFOUND:
		h.errorPage(w, r, http.StatusNotFound, "Not found", "There is nothing here, or nothing you may see.")
	case tandem.EFORBIDDEN:
		h.errorPage(w, r, http.StatusForbidden, "Not allowed", tandem.ErrorMessage(err))
	case tandem.EUNAUTHORIZED:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case tandem.EINVALID, tandem.ECONFLICT, tandem.EPOLICY, tandem.ETOOLARGE, tandem.ERATELIMITED:
		h.errorPage(w, r, front.StatusOf(err), "That did not work", tandem.ErrorMessage(err))
	default:
		h.log.ErrorContext(r.Context(), "internal error", "request_id", id, "error", err.Error())
		h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "The request could not be completed. Quote reference "+id+" to your administrator.")
	}
}

// when writes a moment on the units' clock, with its zone ("GMT",
// "BST"), and UTC beside it when the two differ: what an officer reads
// and what the record holds.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	local := t.In(policy.UnitZone())
	out := local.Format("Mon 2 Jan 2006, 15:04 MST")
	if _, off := local.Zone(); off != 0 {
		out += " (" + t.UTC().Format("15:04") + " UTC)"
	}
	return out
}

func pct(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", (n*100+of/2)/of)
}

func humanDuration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	s := fmt.Sprintf("%d h %02d min", h, m)
	if h == 0 {
		s = fmt.Sprintf("%d min", m)
	} else if h >= 48 {
		s = fmt.Sprintf("%d days", h/24)
	}
	if neg {
		return s + " ago"
	}
	return s
}

var ruleNames = map[tandem.Rule]string{
	tandem.RuleTwoOfficers:      "Two officers",
	tandem.RuleSameGender:       "Officer of the source's gender",
	tandem.RuleDocumented24h:    "Documented within 24 hours",
	tandem.RuleTrainedOfficer:   "Trained officer",
	tandem.RuleTwoHandlers:      "Two handlers",
	tandem.RuleRelationshipRisk: "Relationship risk",
	tandem.RuleBreakGlass:       "Identity revealed outside the team",
	tandem.RuleUndocumentedCall: "Undocumented call",
	tandem.RuleDeconfliction:    "Same person registered twice",
	tandem.RuleSettingChanged:   "A rule's number changed",
}

func ruleName(r tandem.Rule) string {
	if n, ok := ruleNames[r]; ok {
		return n
	}
	return string(r)
}

var indicatorNames = map[tandem.Indicator]string{
	tandem.IndicatorOutOfHours:              "Contact out of hours",
	tandem.IndicatorPersonalChannel:         "Personal phone or social media",
	tandem.IndicatorGiftOrFavour:            "Gift or favour",
	tandem.IndicatorSexualisedLanguage:      "Sexualised language",
	tandem.IndicatorPhysicalContact:         "Physical contact",
	tandem.IndicatorRequestsSpecificOfficer: "Asks for one particular officer",
	tandem.IndicatorSocialContact:           "Social contact",
	tandem.IndicatorAttractionExpressed:     "Attraction expressed",
	tandem.IndicatorOtherBoundary:           "Other boundary issue",
}

func indicatorName(i tandem.Indicator) string {
	if n, ok := indicatorNames[i]; ok {
		return n
	}
	return string(i)
}

// roleName writes an assignment or account role as people say it.
func roleName(r any) string {
	switch s := fmt.Sprint(r); s {
	case "co_handler":
		return "co-handler"
	case "authorising_officer":
		return "authorising officer"
	default:
		return s
	}
}

// fixFor says what closes a state alert.
func fixFor(r tandem.Rule) string {
	switch r {
	case tandem.RuleTwoHandlers:
		return "assign a second handler"
	case tandem.RuleRelationshipRisk:
		return "record a relationship risk entry with its mitigation"
	case tandem.RuleTrainedOfficer:
		return "the officer's training brought up to date, or the officer taken off the source"
	}
	return "the rule met again"
}

// teamFix names the link to the handling team page for the alerts fixed
// there, "" for the others.
func teamFix(r tandem.Rule) string {
	switch r {
	case tandem.RuleTwoHandlers:
		return "Assign a second handler"
	case tandem.RuleTrainedOfficer:
		return "Change the handling team"
	}
	return ""
}

var flashes = map[string]string{
	"signed_out":            "Signed out.",
	"risk_recorded":         "Risk entry recorded.",
	"alert_acknowledged":    "Alert acknowledged.",
	"alerts_acknowledged":   "Alerts acknowledged, each on the record with the justification.",
	"training_recorded":     "Training recorded.",
	"account_disabled":      "Account disabled: its sessions and tokens no longer work.",
	"setting_changed":       "Setting tightened. Every source is judged again by it within the minute.",
	"account_unlocked":      "Account unlocked.",
	"password_changed":      "Password changed. Your other sessions have ended.",
	"account_created":       "Account created. It sees no source until a second person confirms it.",
	"account_changed":       "Account changed. It sees no source until a second person confirms the change.",
	"account_confirmed":     "Account confirmed: it now sees what its roles and teams allow.",
	"second_factor_reset":   "Second factor reset: the account's sessions ended, and its next sign-in enrols a new key.",
	"meeting_cancelled":     "Meeting cancelled.",
	"contact_amended":       "Amendment saved beside the contact as first recorded. The amended contact was judged by the rules again.",
	"source_registered":     "Source registered, its identity sealed. \"Always two\": it needs two handlers.",
	"officer_assigned":      "Officer assigned. The source is judged again at once.",
	"required_gender_saved": "Saved. Every meeting of the source is judged by it from now on.",
	"assignment_ended":      "Assignment ended. The source is judged again at once.",
}

// shareClass colours a compliance share: green only when every contact kept
// the rule, amber from 95%, red below.
func shareClass(n, of int) string {
	switch {
	case of == 0 || n == of:
		return "ok-text"
	case n*100 >= of*95:
		return "warn-text"
	}
	return "breach-text"
}
