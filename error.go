package tandem

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status, in one place (package http).
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	ETOOLARGE     = "too_large"
	EPOLICY       = "policy_violation"
	ERATELIMITED  = "rate_limited"
	EINTERNAL     = "internal"
)

// Error is an error a user may see: a code, a message written for people,
// the field of the request at fault where there is one, and the findings of
// the rules where a plan or assignment was refused.
type Error struct {
	Code     string
	Message  string
	Field    string
	Findings []Finding
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("tandem: %s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("tandem: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming the field at fault.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns the error for a record that does not exist or lies
// outside the caller's need-to-know: the two must read exactly alike.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: what + " not found"}
}

// PolicyViolation returns the error for a plan or assignment refused by the
// rules, carrying every finding.
func PolicyViolation(message string, findings []Finding) *Error {
	return &Error{Code: EPOLICY, Message: message, Findings: findings}
}

// ErrorCode returns the code of err when it is an *Error, and EINTERNAL for
// any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Internal errors get
// a generic message: their detail goes to the log, never to the user.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field an *Error names as at fault, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
