package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// contactBody is the body of a request to record a contact, as the ceiling
// decodes it: the same fields, decoded as strictly as Tandem does.
type contactBody struct {
	Kind            *string  `json:"kind"`
	OccurredAt      *string  `json:"occurred_at"`
	DurationMinutes *int     `json:"duration_minutes"`
	Location        *string  `json:"location"`
	OfficerIDs      []string `json:"officer_ids"`
	Summary         *string  `json:"summary"`
	Indicators      []string `json:"indicators"`
	MeetingID       *string  `json:"meeting_id"`
}

// Ceiling serves a bare net/http handler at Tandem's contact route that
// only checks a bearer token is there, decodes the JSON body strictly and
// answers 201 with a small JSON document: no store, no rules, no audit. It
// is the most any HTTP server written this way could do on the machine,
// measured beside Tandem by the same clients. It prints "serving at URL"
// and runs until ctx ends.
func Ceiling(ctx context.Context, listen string, stdout io.Writer) error {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/sources/{id}/contacts", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, `{"error":{"code":"unauthorized"}}`, http.StatusUnauthorized)
			return
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		var b contactBody
		if err := dec.Decode(&b); err != nil || b.Kind == nil || b.OccurredAt == nil || b.Summary == nil || len(b.OfficerIDs) == 0 {
			http.Error(w, `{"error":{"code":"invalid"}}`, http.StatusBadRequest)
			return
		}
		if _, err := time.Parse(time.RFC3339, *b.OccurredAt); err != nil {
			http.Error(w, `{"error":{"code":"invalid"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "kind": *b.Kind, "occurred_at": *b.OccurredAt, "late": false, "findings": []any{}})
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"ok"}`)) })
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "ceiling serving at http://%s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
