package http

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tandem"
	"tandem/calls"
	"tandem/front"
)

// maxCallRecords is the largest call-record file the API takes in one
// request (front.API gives the route this body limit).
const maxCallRecords = front.MaxCallRecords

func (s *Server) callRecordsImport(w http.ResponseWriter, r *http.Request) error {
	// A month of a PBX's records takes longer to send and import than the
	// server's usual deadlines allow.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(30 * time.Minute))
	_ = rc.SetWriteDeadline(time.Now().Add(35 * time.Minute))
	q := r.URL.Query()
	format := q.Get("format")
	var src tandem.CallSource
	switch format {
	case "asterisk":
		zone := q.Get("tz")
		if zone == "" {
			return tandem.Invalid("tz", "tz is required for Asterisk records: the zone of the PBX's clock, such as Europe/London")
		}
		loc, err := time.LoadLocation(zone)
		if err != nil || strings.HasPrefix(zone, "/") {
			return tandem.Invalid("tz", "unknown time zone %q: give an IANA name such as Europe/London", zone)
		}
		src = calls.Source(calls.NewAsteriskReader(r.Body, loc))
	case "csv":
		rd, err := calls.NewCSVReader(r.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tandem.Errorf(tandem.ETOOLARGE, "the file is larger than %d MiB: import it with tandem calls import", maxCallRecords>>20)
			}
			return tandem.Invalid("body", "%v", err)
		}
		src = calls.Source(rd)
	default:
		return tandem.Invalid("format", "format must be asterisk or csv")
	}
	res, err := s.Calls.ImportCalls(r.Context(), format, src)
	var mbe *http.MaxBytesError
	var te *tandem.Error
	switch {
	case errors.As(err, &mbe):
		return tandem.Errorf(tandem.ETOOLARGE, "the file is larger than %d MiB: import it with tandem calls import", maxCallRecords>>20)
	case err != nil && !errors.As(err, &te) && strings.HasPrefix(err.Error(), "read the call records"):
		return tandem.Invalid("body", "%v", err)
	case err != nil:
		return err
	}
	front.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) callList(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Calls.ListCalls(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"calls": cs})
	return nil
}

func (s *Server) earlyWarning(w http.ResponseWriter, r *http.Request) error {
	days := 90
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return tandem.Invalid("days", "days must be a whole number between 1 and 731")
		}
		days = n
	}
	q := r.URL.Query()
	limit, err := queryLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	page, err := s.Warnings.PageEarlyWarning(r.Context(), tandem.BoardFilter{Days: days, Unit: q.Get("unit"), Limit: limit, After: q.Get("after")})
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"days": days, "pairs": page.Pairs, "next": page.Next})
	return nil
}
