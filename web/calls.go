package web

import (
	"net/http"
	"strings"
	"time"

	"tandem"
	"tandem/calls"
)

// maxUpload is the largest call-record file the page takes (as the API).
const maxUpload = 512 << 20

type callsData struct {
	Zone   string
	Result *tandem.CallImport
	Error  string
}

func (h *Handler) callsShow(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "calls", view{Title: "Import call records", Nav: "calls", Data: callsData{Zone: "Europe/London"}})
}

// callsImport takes a call-record file from the form, imports it and shows
// what the import did.
func (h *Handler) callsImport(w http.ResponseWriter, r *http.Request) {
	d := callsData{Zone: strings.TrimSpace(r.FormValue("tz"))}
	show := func(status int, msg string) {
		d.Error = msg
		h.render(w, r, status, "calls", view{Title: "Import call records", Nav: "calls", Data: d})
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		show(http.StatusBadRequest, "Choose the file to import.")
		return
	}
	defer f.Close()
	format := r.FormValue("format")
	var src tandem.CallSource
	switch format {
	case "asterisk":
		loc, err := time.LoadLocation(d.Zone)
		if err != nil || d.Zone == "" {
			show(http.StatusBadRequest, "Give the phone system's time zone, such as Europe/London.")
			return
		}
		src = calls.Source(calls.NewAsteriskReader(f, loc))
	case "csv":
		rd, err := calls.NewCSVReader(f)
		if err != nil {
			show(http.StatusBadRequest, "The file could not be read: "+err.Error())
			return
		}
		src = calls.Source(rd)
	default:
		show(http.StatusBadRequest, "Choose the file's format.")
		return
	}
	res, err := h.svc.Calls.ImportCalls(r.Context(), format, src)
	if err != nil {
		if c := tandem.ErrorCode(err); c == tandem.EINTERNAL && !strings.HasPrefix(err.Error(), "read the call records") {
			h.fail(w, r, err)
			return
		}
		show(http.StatusBadRequest, "The import stopped: "+tandem.ErrorMessage(err))
		return
	}
	d.Result = res
	h.render(w, r, http.StatusOK, "calls", view{Title: "Import call records", Nav: "calls", Data: d})
}
