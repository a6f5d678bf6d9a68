package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"tandem"
	"tandem/front"
)

type alertRow struct {
	Alert *tandem.Alert
	// Since is when what the alert is about happened: a call's start for
	// an undocumented call, judged a day or more after it; when the alert
	// was raised for the rest. Age runs from it.
	Since time.Time
	Age   time.Duration
	Names []string
}

// trouble is one source's open alerts, counted by rule: where a
// controller should look first.
type trouble struct {
	SourceID  string
	Reference string
	Breaches  int
	Warnings  int
	Rules     []ruleCount
	Oldest    time.Time
	// Relationship is true when a relationship risk is among them: the
	// warning sign this system exists to surface.
	Relationship bool
}

// ruleCount is how many open alerts of one rule a source has.
type ruleCount struct {
	Rule  tandem.Rule
	Count int
}

type alertsData struct {
	Trouble   []*trouble
	Rows      []alertRow
	Status    string
	Rule      string
	SourceID  string
	OfficerID string
	Rules     []tandem.Rule
	Sources   []*tandem.Source
	Officers  []*tandem.Officer
	// Counts are the open alerts matching the filters, by severity: the
	// whole queue, not this page.
	Counts map[string]int
	Names  map[string]string
	Error  string
	// More is the link to the next page of alerts, "" on the last.
	More string
	// Back is this page, filters and all, for an acknowledgement to come
	// back to.
	Back string
	// CanBulk: some alert shown may be acknowledged, so the page offers
	// to acknowledge several at once.
	CanBulk bool
}

// alertsPage is how many alerts the queue shows at a time.
const alertsPage = 50

func (h *Handler) alertList(w http.ResponseWriter, r *http.Request) {
	h.showAlerts(w, r, http.StatusOK, "")
}

func (h *Handler) showAlerts(w http.ResponseWriter, r *http.Request, status int, problem string) {
	ctx := r.Context()
	q := r.URL.Query()
	d := alertsData{Status: q.Get("status"), Rule: q.Get("rule"), SourceID: q.Get("source_id"), OfficerID: q.Get("officer_id"),
		Rules: tandem.Rules, Counts: map[string]int{}, Error: problem}
	if d.Status == "" {
		d.Status = string(tandem.AlertOpen)
	}
	if d.Status == "all" {
		d.Status = ""
	}
	page, err := h.svc.Alerts.PageAlerts(ctx, tandem.AlertFilter{Status: tandem.AlertStatus(d.Status), Rule: tandem.Rule(d.Rule), SourceID: d.SourceID,
		OfficerID: d.OfficerID, Limit: alertsPage, After: q.Get("after")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	alerts := page.Alerts
	if d.Status == "" {
		d.Status = "all"
	}
	if page.Next != nil {
		u := *r.URL
		qq := u.Query()
		qq.Set("after", *page.Next)
		qq.Set("status", d.Status)
		u.RawQuery = qq.Encode()
		d.More = u.RequestURI()
	}
	// The filters offer the sources and officers of the alerts shown (and
	// whichever is chosen): a force has thousands of each.
	seen := map[string]bool{}
	var ids []string
	for _, a := range alerts {
		if a.SourceID != "" && !seen[a.SourceID] {
			seen[a.SourceID] = true
			d.Sources = append(d.Sources, &tandem.Source{ID: a.SourceID, Reference: a.SourceReference})
		}
		ids = append(ids, a.OfficerIDs...)
		ids = append(ids, a.AcknowledgedBy)
	}
	if d.SourceID != "" && !seen[d.SourceID] {
		if src, err := h.svc.Sources.FindSource(ctx, d.SourceID); err == nil {
			d.Sources = append(d.Sources, src)
		}
	}
	sort.Slice(d.Sources, func(i, j int) bool { return d.Sources[i].Reference < d.Sources[j].Reference })
	if d.OfficerID != "" {
		ids = append(ids, d.OfficerID)
	}
	names, err := h.svc.Officers.OfficerNames(ctx, ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for id, name := range names {
		d.Officers = append(d.Officers, &tandem.Officer{ID: id, Name: name})
	}
	sort.Slice(d.Officers, func(i, j int) bool { return d.Officers[i].Name < d.Officers[j].Name })
	d.Names = names
	calls, err := h.alertCalls(r, alerts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Back = r.URL.Path
	if q := alertFilters(r.URL.Query()); len(q) > 0 {
		d.Back += "?" + q.Encode()
	}
	now := h.clock.Now()
	for _, a := range alerts {
		since := a.RaisedAt
		if c, ok := calls[a.CallID]; ok && a.CallID != "" {
			since = c.StartedAt
		}
		row := alertRow{Alert: a, Since: since, Age: now.Sub(since)}
		d.CanBulk = d.CanBulk || a.CanAcknowledge
		for _, id := range a.OfficerIDs {
			row.Names = append(row.Names, names[id])
		}
		d.Rows = append(d.Rows, row)
	}
	groups, err := h.svc.Alerts.OpenAlertGroups(ctx, tandem.AlertFilter{Rule: tandem.Rule(d.Rule), SourceID: d.SourceID, OfficerID: d.OfficerID})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Trouble = troubles(groups)
	for _, g := range groups {
		d.Counts[string(g.Severity)] += g.Count
	}
	// A relationship risk first, whatever its severity: the warning sign
	// this system exists to surface. Then breaches before warnings; the
	// oldest first within each: what has waited longest is looked at
	// first.
	sort.SliceStable(d.Rows, func(i, j int) bool {
		a, b := d.Rows[i].Alert, d.Rows[j].Alert
		if ra, rb := a.Rule == tandem.RuleRelationshipRisk, b.Rule == tandem.RuleRelationshipRisk; ra != rb {
			return ra
		}
		if a.Severity != b.Severity {
			return a.Severity == tandem.SeverityBreach
		}
		return d.Rows[i].Since.Before(d.Rows[j].Since)
	})
	h.render(w, r, status, "alerts", view{Title: "Alerts", Nav: "alerts", Data: d})
}

func (h *Handler) alertAcknowledge(w http.ResponseWriter, r *http.Request) {
	_, err := h.svc.Alerts.AcknowledgeAlert(r.Context(), r.PathValue("id"), r.PostFormValue("justification"))
	switch tandem.ErrorCode(err) {
	case "":
		// Back to the page the controller was on, filters kept.
		q := alertFilters(backQuery(r.PostFormValue("back")))
		q.Set("done", "alert_acknowledged")
		http.Redirect(w, r, "/alerts?"+q.Encode(), http.StatusSeeOther)
	case tandem.EINVALID, tandem.ECONFLICT:
		h.showAlerts(w, r, front.StatusOf(err), tandem.ErrorMessage(err))
	default:
		h.fail(w, r, err)
	}
}

// troubles gathers the open alerts' counts by source: relationship risks
// first, then the most breaches, then the most alerts, then what has
// waited longest.
func troubles(groups []*tandem.AlertGroup) []*trouble {
	by := map[string]*trouble{}
	var out []*trouble
	for _, g := range groups {
		t, ok := by[g.SourceID]
		if !ok {
			t = &trouble{SourceID: g.SourceID, Reference: g.SourceReference, Oldest: g.Oldest}
			if g.SourceID == "" {
				t.Reference = "the force"
			}
			by[g.SourceID] = t
			out = append(out, t)
		}
		if g.Severity == tandem.SeverityBreach {
			t.Breaches += g.Count
		} else {
			t.Warnings += g.Count
		}
		if i := slices.IndexFunc(t.Rules, func(rc ruleCount) bool { return rc.Rule == g.Rule }); i >= 0 {
			t.Rules[i].Count += g.Count
		} else {
			t.Rules = append(t.Rules, ruleCount{g.Rule, g.Count})
		}
		if g.Oldest.Before(t.Oldest) {
			t.Oldest = g.Oldest
		}
		t.Relationship = t.Relationship || g.Rule == tandem.RuleRelationshipRisk
	}
	for _, t := range out {
		sort.Slice(t.Rules, func(i, j int) bool {
			if t.Rules[i].Count != t.Rules[j].Count {
				return t.Rules[i].Count > t.Rules[j].Count
			}
			return t.Rules[i].Rule < t.Rules[j].Rule
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Relationship != b.Relationship:
			return a.Relationship
		case a.Breaches != b.Breaches:
			return a.Breaches > b.Breaches
		case a.Breaches+a.Warnings != b.Breaches+b.Warnings:
			return a.Breaches+a.Warnings > b.Breaches+b.Warnings
		}
		return a.Oldest.Before(b.Oldest)
	})
	return out
}

// alertsAcknowledge acknowledges the alerts ticked, each on its own and on
// the record, with one justification. Each is judged as if acknowledged
// alone (policy refuses an alert about the controller's own conduct): the
// page says how many were acknowledged and why the others were not.
func (h *Handler) alertsAcknowledge(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "Not acknowledged", "The form could not be read.")
		return
	}
	ids := r.PostForm["id"]
	justification := r.PostFormValue("justification")
	if len(ids) == 0 {
		h.showAlerts(w, r, http.StatusBadRequest, "Tick the alerts to acknowledge.")
		return
	}
	if len(ids) > alertsPage {
		h.showAlerts(w, r, http.StatusBadRequest, "At most "+strconv.Itoa(alertsPage)+" alerts at once.")
		return
	}
	done := 0
	var refused []string
	for _, id := range ids {
		_, err := h.svc.Alerts.AcknowledgeAlert(r.Context(), id, justification)
		switch tandem.ErrorCode(err) {
		case "":
			done++
		case tandem.EINVALID, tandem.ECONFLICT, tandem.EFORBIDDEN, tandem.ENOTFOUND:
			refused = append(refused, tandem.ErrorMessage(err))
		default:
			h.fail(w, r, err)
			return
		}
	}
	if len(refused) > 0 {
		msg := strconv.Itoa(done) + " acknowledged; " + strconv.Itoa(len(refused)) + " not: " + strings.Join(uniq(refused), "; ")
		h.showAlerts(w, r, http.StatusBadRequest, msg)
		return
	}
	q := alertFilters(backQuery(r.PostFormValue("back")))
	q.Set("done", "alerts_acknowledged")
	http.Redirect(w, r, "/alerts?"+q.Encode(), http.StatusSeeOther)
}

// uniq keeps the first of each string, in order.
func uniq(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// alertCalls returns, by id, the calls the undocumented-call alerts listed
// are about, read by id a source at a time.
func (h *Handler) alertCalls(r *http.Request, alerts []*tandem.Alert) (map[string]*tandem.CallRecord, error) {
	bySource := map[string][]string{}
	for _, a := range alerts {
		if a.CallID != "" && a.SourceID != "" {
			bySource[a.SourceID] = append(bySource[a.SourceID], a.CallID)
		}
	}
	out := map[string]*tandem.CallRecord{}
	for src, ids := range bySource {
		calls, err := h.svc.Calls.FindCalls(r.Context(), src, ids)
		if err != nil {
			return nil, err
		}
		for _, c := range calls {
			out[c.ID] = c
		}
	}
	return out, nil
}

// alertFilters keeps of a query only the alert page's filters and its
// cursor.
func alertFilters(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"status", "rule", "source_id", "officer_id", "after"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// backQuery reads the query of the alerts page an acknowledgement came
// from: only a path of /alerts is taken, so the form cannot send anyone
// elsewhere.
func backQuery(back string) url.Values {
	u, err := url.Parse(back)
	if err != nil || u.Path != "/alerts" || u.Host != "" || u.Scheme != "" {
		return url.Values{}
	}
	return u.Query()
}
