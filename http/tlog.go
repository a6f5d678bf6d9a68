package http

import (
	"net/http"
	"strconv"

	"tandem"
	"tandem/front"
)

// The audit trail as a transparency log (CONTRACT, "The audit trail as a
// transparency log"): the checkpoint and its key as text, the proofs as
// base64 hashes, for a witness on another machine.

func (s *Server) auditCheckpoint(w http.ResponseWriter, r *http.Request) error {
	note, err := s.Audit.AuditCheckpoint(r.Context())
	if err != nil {
		return err
	}
	writeText(w, note)
	return nil
}

func (s *Server) auditKey(w http.ResponseWriter, r *http.Request) error {
	key, err := s.Audit.AuditVerifierKey(r.Context())
	if err != nil {
		return err
	}
	writeText(w, []byte(key+"\n"))
	return nil
}

func (s *Server) auditConsistency(w http.ResponseWriter, r *http.Request) error {
	from, err := treeSize(r, "from")
	if err != nil {
		return err
	}
	to, err := treeSize(r, "to")
	if err != nil {
		return err
	}
	hashes, err := s.Audit.AuditConsistency(r.Context(), from, to)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"hashes": nonNil(hashes)})
	return nil
}

func (s *Server) auditInclusion(w http.ResponseWriter, r *http.Request) error {
	seq, err := treeSize(r, "seq")
	if err != nil {
		return err
	}
	size, err := treeSize(r, "size")
	if err != nil {
		return err
	}
	hashes, err := s.Audit.AuditInclusion(r.Context(), seq, size)
	if err != nil {
		return err
	}
	front.WriteJSON(w, http.StatusOK, map[string]any{"index": seq, "hashes": nonNil(hashes)})
	return nil
}

// treeSize reads a required whole number of entries from the query.
func treeSize(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, tandem.Invalid(name, "%s is required", name)
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil || strconv.FormatUint(n, 10) != v {
		return 0, tandem.Invalid(name, "%s must be a whole number of 0 or more", name)
	}
	return n, nil
}

// nonNil makes an empty proof a JSON array, not null. encoding/json writes
// each hash as base64.
func nonNil(hashes [][]byte) [][]byte {
	if hashes == nil {
		return [][]byte{}
	}
	return hashes
}

// writeText answers 200 with plain text.
func writeText(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
