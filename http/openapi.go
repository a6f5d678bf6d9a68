package http

import (
	_ "embed"
	"net/http"
)

// openAPISpec describes the API. TestOpenAPI_MatchesRoutes keeps it honest
// against the routes the server really registers.
//
//go:embed openapi.json
var openAPISpec []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, err := w.Write(openAPISpec)
	return err
}
