package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"tandem"
	"tandem/front"
)

// The handling team page: what a TWO_HANDLERS or TRAINED_OFFICER alert
// asks a controller to fix. Only the officers who may be assigned are
// offered; the others of the unit are listed with the reason they are not.

type candidate struct {
	Officer *tandem.Officer
	// Why is empty for an officer who may be assigned, else the reason
	// they are not offered.
	Why string
}

type teamData struct {
	Source      *tandem.Source
	Assignments []*tandem.Assignment
	Handlers    []candidate // may be assigned as handler or co-handler
	Controllers []candidate // may be assigned as controller
	NotOffered  []candidate
	Error       string
	Findings    []tandem.Finding
	OfficerID   string
	Role        string
}

func (h *Handler) teamShow(w http.ResponseWriter, r *http.Request) {
	h.showTeam(w, r, http.StatusOK, func(*teamData) {})
}

func (h *Handler) showTeam(w http.ResponseWriter, r *http.Request, status int, set func(*teamData)) {
	ctx := r.Context()
	src, err := h.svc.Sources.FindSource(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !src.Permissions.Assign {
		h.errorPage(w, r, http.StatusForbidden, "Not allowed", "Only a controller of this source changes its handling team.")
		return
	}
	d := &teamData{Source: src, Role: string(tandem.AssignCoHandler)}
	if d.Assignments, err = h.svc.Sources.ListAssignments(ctx, src.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	unit, err := h.svc.Officers.UnitOfficers(ctx, src.Unit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	current := map[string][]tandem.AssignmentRole{}
	for _, a := range d.Assignments {
		if a.Current() {
			current[a.OfficerID] = append(current[a.OfficerID], a.Role)
		}
	}
	for _, o := range unit {
		if !o.HasAnyRole(tandem.RoleHandler, tandem.RoleController) {
			continue
		}
		why := notAssignable(o)
		roles := current[o.ID]
		handles := slices.ContainsFunc(roles, func(r tandem.AssignmentRole) bool { return r.CountsAsHandler() })
		if why != "" {
			d.NotOffered = append(d.NotOffered, candidate{o, why})
			continue
		}
		if o.HasRole(tandem.RoleHandler) && !handles {
			d.Handlers = append(d.Handlers, candidate{Officer: o})
		}
		if o.HasRole(tandem.RoleController) && !slices.Contains(roles, tandem.AssignController) {
			d.Controllers = append(d.Controllers, candidate{Officer: o})
		}
	}
	set(d)
	h.render(w, r, status, "team", view{Title: "Handling team of " + src.Reference, Data: d})
}

// notAssignable says why an officer may not join a handling team, "" when
// they may: the rules refuse an untrained officer (TRAINED_OFFICER), and
// an account a second person has not confirmed joins no team.
func notAssignable(o *tandem.Officer) string {
	switch {
	case o.DisabledAt != nil:
		return "the account is disabled"
	case o.AwaitingConfirmation:
		return "the account awaits confirmation by a second person"
	case !o.Accredited:
		return "not accredited: " + strings.Join(o.AccreditationGaps, "; ")
	}
	return ""
}

func (h *Handler) assignmentSave(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	officerID, role := r.PostFormValue("officer_id"), r.PostFormValue("role")
	_, err := h.svc.Sources.Assign(r.Context(), id, officerID, tandem.AssignmentRole(role))
	if err == nil {
		http.Redirect(w, r, "/sources/"+id+"/team?done=officer_assigned", http.StatusSeeOther)
		return
	}
	var te *tandem.Error
	switch code := tandem.ErrorCode(err); {
	case errors.As(err, &te) && (code == tandem.EPOLICY || code == tandem.EINVALID || code == tandem.ECONFLICT):
		h.showTeam(w, r, front.StatusOf(err), func(d *teamData) {
			d.Error, d.Findings, d.OfficerID, d.Role = "Not assigned: "+tandem.ErrorMessage(err), te.Findings, officerID, role
		})
	default:
		h.fail(w, r, err)
	}
}

func (h *Handler) assignmentEnd(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := h.svc.Sources.EndAssignment(r.Context(), id, r.PathValue("aid"))
	switch tandem.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/sources/"+id+"/team?done=assignment_ended", http.StatusSeeOther)
	case tandem.EINVALID, tandem.ECONFLICT:
		h.errorPage(w, r, front.StatusOf(err), "Not ended", tandem.ErrorMessage(err))
	default:
		h.fail(w, r, err)
	}
}

// requiredGenderSave sets the officer gender a source's meetings require,
// as PATCH /sources/{id} does: a controller's, audited, and every rule
// judged again.
func (h *Handler) requiredGenderSave(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	g := strings.TrimSpace(r.PostFormValue("required_officer_gender"))
	_, err := h.svc.Sources.UpdateSource(r.Context(), id, tandem.SourceUpdate{RequiredOfficerGender: &g})
	switch tandem.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/sources/"+id+"/team?done=required_gender_saved", http.StatusSeeOther)
	case tandem.EINVALID:
		h.showTeam(w, r, http.StatusBadRequest, func(d *teamData) { d.Error = "Not saved: " + tandem.ErrorMessage(err) })
	default:
		h.fail(w, r, err)
	}
}
