// Package tandem is the domain of Tandem: the officers, sources, contacts,
// meetings, risks and alerts of a dedicated source unit, the rules of
// "always two" that bind them, and the services the rest of the program
// implements or calls. It imports only the standard library; every other
// package depends inward on it.
package tandem

import "time"

// Clock tells the time. Every piece of code for which time matters takes a
// Clock, so that the 24-hour rule can be tested without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ClockFunc adapts a function to the Clock interface.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// DateLayout is the layout of calendar dates in the API: YYYY-MM-DD.
const DateLayout = "2006-01-02"
