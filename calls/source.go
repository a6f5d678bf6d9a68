package calls

import (
	"errors"

	"tandem"
)

// Source adapts a Reader to the domain's tandem.CallSource, which the
// store imports from: the store knows call records, not file formats.
func Source(r Reader) tandem.CallSource { return source{r} }

type source struct{ r Reader }

// filtered is a Reader that can pass records over (both of this
// package's readers).
type filtered interface {
	Only(keep func(from, to []byte) bool)
	Passed() int
}

// Only passes on tandem.CallFilter's test to the reader, when it takes
// one; the reader reads every record in full otherwise.
func (s source) Only(keep func(from, to []byte) bool) {
	if f, ok := s.r.(filtered); ok {
		f.Only(keep)
	}
}

// Passed is how many records the reader has passed over.
func (s source) Passed() int {
	if f, ok := s.r.(filtered); ok {
		return f.Passed()
	}
	return 0
}

func (s source) Next() (*tandem.Call, error) {
	c, err := s.r.Next()
	var le *LineError
	if errors.As(err, &le) {
		return nil, &tandem.CallLineError{Line: le.Line, Reason: le.Reason}
	}
	if err != nil {
		return nil, err
	}
	return &tandem.Call{Line: c.Line, Start: c.Start, From: c.From, To: c.To, Duration: c.Duration, Billsec: c.Billsec, Key: c.Key}, nil
}
