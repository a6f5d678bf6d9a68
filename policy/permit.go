package policy

import "tandem"

// Action is something an officer may ask to do to a source, or to an
// officer's record.
type Action string

// The actions Permit decides.
const (
	ActionRecord         Action = "record"
	ActionPlan           Action = "plan"
	ActionCancel         Action = "cancel"
	ActionOverride       Action = "override"
	ActionAssign         Action = "assign"
	ActionEndAssignment  Action = "end_assignment"
	ActionAcknowledge    Action = "acknowledge"
	ActionAmend          Action = "amend"
	ActionAddRisk        Action = "add_risk"
	ActionUpdate         Action = "update"
	ActionReveal         Action = "reveal"
	ActionRecordTraining Action = "record_training"
)

// Subject is what an action is taken on: the action, and where it matters
// the record within the source that it touches.
type Subject struct {
	Action Action
	// Officers are the officers the record names: those at a contact
	// (record, amend) or those an alert concerns (acknowledge).
	Officers []string
	// Author documented the contact (amend), or planned the meeting an
	// alert is about (acknowledge).
	Author string
	// Trainee is the officer whose training is recorded.
	Trainee *tandem.Officer
}

// Permit answers "may this officer do this to this source?" for every
// caller: the store before it changes anything, and, through Permissions,
// the pages before they offer a control. t is the officer's standing
// toward the source (unused for training, which concerns an officer). It
// returns nil when the officer may, and otherwise a forbidden error that
// says why in words. Whether the officer may see the source at all is
// CanSee's question, asked first: a source outside need-to-know is not
// found, not forbidden.
func Permit(o *tandem.Officer, t Team, s Subject) error {
	control := CanControl(o, t)
	switch s.Action {
	case ActionRecord:
		if control || (t.Handling && named(s.Officers, o.ID)) {
			return nil
		}
		return forbid("you may record only contacts you were at, unless you control the source")
	case ActionPlan, ActionCancel:
		if t.Handling || control {
			return nil
		}
		if s.Action == ActionCancel {
			return forbid("only the source's handlers and controllers may cancel its meetings")
		}
		return forbid("only the source's handlers and controllers may plan its meetings")
	case ActionOverride:
		if control {
			return nil
		}
		return &tandem.Error{Code: tandem.EFORBIDDEN, Field: "override_justification", Message: "only a controller of the source may override the rules"}
	case ActionAssign:
		if control {
			return nil
		}
		return forbid("only a controller of this source may assign officers to it")
	case ActionEndAssignment:
		if control {
			return nil
		}
		return forbid("only a controller of this source may end its assignments")
	case ActionAcknowledge:
		if !control {
			return forbid("only a controller of the source may acknowledge its alerts")
		}
		// Nobody closes an alert about their own conduct: one that names
		// them, or that their own override raised.
		if named(s.Officers, o.ID) || (s.Author != "" && s.Author == o.ID) {
			return forbid("this alert concerns you: another controller must acknowledge it")
		}
		return nil
	case ActionAmend:
		if control || (t.Handling && (named(s.Officers, o.ID) || s.Author == o.ID)) {
			return nil
		}
		return forbid("only an officer at the contact, or a controller of the source, may amend it")
	case ActionAddRisk:
		if t.Handling || control {
			return nil
		}
		return forbid("only the source's handlers and controllers may add to its risk register")
	case ActionUpdate:
		if control {
			return nil
		}
		return forbid("only a controller of this source may change it")
	case ActionReveal:
		if o.HasRole(tandem.RoleAdmin) {
			return forbid("administrators see no source content")
		}
		if CanSee(o, t) {
			return nil // inside the team, or by breaking the glass: InHandlingTeam
		}
		return tandem.NotFound("source")
	case ActionRecordTraining:
		switch {
		case !o.HasAnyRole(tandem.RoleAdmin, tandem.RoleController):
			return forbid("your roles do not allow this")
		case o.AwaitingConfirmation:
			// Else an administrator's unconfirmed controller could accredit
			// officers with training that needs no second person.
			return forbid("your account awaits confirmation by a second person")
		case s.Trainee == nil:
			return tandem.NotFound("officer")
		case s.Trainee.ID == o.ID:
			return forbid("nobody records their own training: it is what accredits them")
		case !o.HasRole(tandem.RoleAdmin) && s.Trainee.Unit != o.Unit:
			return forbid("a controller records the training of the officers of their own unit")
		}
		return nil
	}
	return forbid("unknown action %q", s.Action)
}

// Permissions are what the officer may do to a source in general, for the
// pages to draw their controls: each answer is Permit's, asked of a record
// the officer took part in and wrote.
func Permissions(o *tandem.Officer, t Team) tandem.Permissions {
	may := func(a Action) bool {
		return CanSee(o, t) && Permit(o, t, Subject{Action: a, Officers: []string{o.ID}, Author: o.ID}) == nil
	}
	reveal := may(ActionReveal)
	inTeam := InHandlingTeam(o, t)
	return tandem.Permissions{
		Record:   may(ActionRecord),
		Plan:     may(ActionPlan),
		Override: may(ActionOverride),
		Assign:   may(ActionAssign),
		// An alert that names the officer is refused one by one; in
		// general a controller of the source acknowledges.
		Acknowledge: CanSee(o, t) && Permit(o, t, Subject{Action: ActionAcknowledge}) == nil,
		Amend:       may(ActionAmend),
		AddRisk:     may(ActionAddRisk),
		Update:      may(ActionUpdate),
		Reveal:      reveal && inTeam,
		BreakGlass:  reveal && !inTeam,
	}
}

func named(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func forbid(format string, args ...any) error {
	return tandem.Errorf(tandem.EFORBIDDEN, format, args...)
}
