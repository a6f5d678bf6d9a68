package tandem

import "context"

type contextKey int

const (
	officerKey contextKey = iota + 1
	requestIDKey
)

// NewContextWithOfficer returns a context carrying the officer on whose
// behalf the work is done. Services check roles and need-to-know against it.
func NewContextWithOfficer(ctx context.Context, o *Officer) context.Context {
	return context.WithValue(ctx, officerKey, o)
}

// OfficerFromContext returns the acting officer, or nil when there is none.
func OfficerFromContext(ctx context.Context) *Officer {
	o, _ := ctx.Value(officerKey).(*Officer)
	return o
}

// NewContextWithRequestID returns a context carrying a request id, so that
// every log line of a request can be found together.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestIDFromContext returns the request id, or "".
func RequestIDFromContext(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

type commandLineKey struct{}

// NewContextFromCommandLine marks ctx as a change made at the command
// line, by whoever holds the data folder and its key: what only the
// command line may do (a force-wide call import by an administrator) asks
// FromCommandLine.
func NewContextFromCommandLine(ctx context.Context) context.Context {
	return context.WithValue(ctx, commandLineKey{}, true)
}

// FromCommandLine reports whether ctx is a change made at the command line.
func FromCommandLine(ctx context.Context) bool {
	v, _ := ctx.Value(commandLineKey{}).(bool)
	return v
}
