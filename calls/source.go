package calls

import (
	"errors"

	"tandem"
)

// Source adapts a Reader to the domain's tandem.CallSource, which the
// store imports from: the store knows call records, not file formats.
func Source(r Reader) tandem.CallSource { return source{r} }

type source struct{ r Reader }

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
