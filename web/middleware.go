package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"tandem"
	"tandem/front"
)

// requestState is what the middleware learns about a request: its CSP
// nonce and, once signed in, its session.
type requestState struct {
	nonce   string
	session *tandem.Session
	token   string
	demo    bool
}

type stateKey struct{}

func state(r *http.Request) *requestState {
	s, _ := r.Context().Value(stateKey{}).(*requestState)
	return s
}

const sessionCookie = "tandem_session"

// hostCookie is the session cookie's name when Tandem serves TLS itself: a
// browser keeps a __Host- cookie only if it is Secure, has path / and no
// domain, so no other host, nor plain HTTP, can set or read it.
const hostCookie = "__Host-" + sessionCookie

// cookieName is the session cookie's name on this server.
func (h *Handler) cookieName() string {
	if h.TLS {
		return hostCookie
	}
	return sessionCookie
}

// middleware is what every page passes behind the front door (package
// front: request id, the headers every answer carries, recovery, the log
// line): a nonce, the pages' own Content-Security-Policy (which admits
// their scripts by it), the body limit, and input no record may hold
// refused before any page reads it.
func (h *Handler) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := withPageState(w, r)
		ctx := r.Context()
		limit := int64(1 << 20)
		if r.URL.Path == "/calls" {
			limit = maxUpload // a phone system's month of records
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if demo, err := h.svc.Sessions.IsDemo(ctx); err == nil {
			st.demo = demo
		}
		// A path, query or form value no record may hold is refused before
		// any page reads it (an uploaded file is the call import's to read).
		if err := h.validInput(r); err != nil {
			h.errorPage(w, r, front.StatusOf(err), "Not accepted", tandem.ErrorMessage(err)+".")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// signedIn wraps a page that needs a complete session (password and second
// factor) and, when roles are given, one of them. Every POST must carry the
// session's CSRF token.
func (h *Handler) signedIn(roles []tandem.Role, next func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, token := h.session(r)
		if sess == nil {
			h.toLogin(w, r)
			return
		}
		if !sess.Complete() {
			http.Redirect(w, r, "/login/second-factor", http.StatusSeeOther)
			return
		}
		st := state(r)
		st.session, st.token = sess, token
		r = r.WithContext(tandem.NewContextWithOfficer(r.Context(), sess.Officer))
		if r.Method == http.MethodPost && !validCSRF(r, sess.CSRFToken) {
			h.errorPage(w, r, http.StatusForbidden, "Form expired", "This form was not sent from your current session. Go back, reload the page and try again.")
			return
		}
		if len(roles) > 0 && !sess.Officer.HasAnyRole(roles...) {
			h.errorPage(w, r, http.StatusForbidden, "Not allowed", "Your roles do not give access to this page.")
			return
		}
		next(w, r)
	}
}

// session returns the request's live session, if any.
func (h *Handler) session(r *http.Request) (*tandem.Session, string) {
	c, err := r.Cookie(h.cookieName())
	if err != nil || c.Value == "" {
		return nil, ""
	}
	sess, err := h.svc.Sessions.Session(r.Context(), c.Value)
	if err != nil {
		return nil, ""
	}
	return sess, c.Value
}

func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		// A write-up sent after the session ended: the browser keeps it
		// (app.js), and signing in again leads back to its form.
		if form := draftForm(r.URL.Path); form != "" {
			h.render(w, r, http.StatusUnauthorized, "signed_out", view{Title: "Signed out", Data: form})
			return
		}
		h.errorPage(w, r, http.StatusUnauthorized, "Signed out", "Your session has ended. Sign in again; what you were sending was not saved.")
		return
	}
	next := r.URL.RequestURI()
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// withPageState gives the request a fresh nonce, and the answer the pages'
// Content-Security-Policy, which admits only scripts carrying it.
func withPageState(w http.ResponseWriter, r *http.Request) (*http.Request, *requestState) {
	st := &requestState{nonce: randomNonce()}
	w.Header().Set("Content-Security-Policy", fmt.Sprintf("default-src 'none'; script-src 'nonce-%s'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", st.nonce))
	return r.WithContext(context.WithValue(r.Context(), stateKey{}, st)), st
}

// draftForms are the forms whose write-up a browser keeps through a
// session's end: what each posts to, and the page of the form.
var draftForms = []struct {
	post *regexp.Regexp
	form string
}{
	{regexp.MustCompile(`^/sources/([0-9a-f]+)/contacts$`), "/sources/$1/contacts/new"},
	{regexp.MustCompile(`^/sources/([0-9a-f]+)/contacts/([0-9a-f]+)/amendments$`), "/sources/$1/contacts/$2/amend"},
	{regexp.MustCompile(`^/sources/([0-9a-f]+)/meetings$`), "/sources/$1/meetings/new"},
	{regexp.MustCompile(`^/sources/([0-9a-f]+)/risks$`), "/sources/$1/risks/new"},
}

// draftForm is the page of the form that posts to path, or "".
func draftForm(path string) string {
	for _, f := range draftForms {
		if f.post.MatchString(path) {
			return f.post.ReplaceAllString(path, f.form)
		}
	}
	return ""
}

func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (h *Handler) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil || h.SecureCookies || h.TLS, SameSite: http.SameSiteStrictMode, MaxAge: maxAge})
}

func randomNonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

// validInput checks the request's path, query and, for a form post, its
// fields with tandem.ValidText.
func (h *Handler) validInput(r *http.Request) error {
	if err := tandem.ValidText("path", r.URL.Path); err != nil {
		return err
	}
	if err := tandem.ValidValues(r.URL.Query()); err != nil {
		return err
	}
	if r.Method != http.MethodPost {
		return nil
	}
	// A form that does not parse is refused whole: the pairs before the
	// fault would otherwise reach the page unchecked.
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(32 << 20); err != nil { // as FormFile would
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return tandem.Errorf(tandem.ETOOLARGE, "the file is larger than the import takes (%d MiB)", tooLarge.Limit>>20)
			}
			return tandem.Invalid("form", "the form could not be read: send it again from the page")
		}
		return tandem.ValidValues(r.MultipartForm.Value)
	}
	if err := r.ParseForm(); err != nil {
		return tandem.Invalid("form", "the form could not be read: send it again from the page")
	}
	return tandem.ValidValues(r.PostForm)
}
