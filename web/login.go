package web

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"image/png"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tandem"
)

// loginCookie carries the sign-in form's CSRF token before there is a
// session (double submit: the cookie and the form must agree).
const loginCookie = "tandem_login"

type loginData struct {
	Username string
	Next     string
	Error    string
	Token    string
}

func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	if sess, _ := h.session(r); sess != nil && sess.Complete() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.showLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	d.Token = randomNonce()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: d.Token, Path: "/login", HttpOnly: true,
		Secure: r.TLS != nil || h.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	h.render(w, r, status, "login", view{Title: "Sign in", Data: d})
}

func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	form := r.PostFormValue("login_token")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		h.showLogin(w, r, http.StatusForbidden, loginData{Error: "The sign-in form had expired. Please try again."})
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	// A flood is refused here, before a password is hashed: a client with
	// too many recent failures, or too many sign-ins at once.
	client := clientAddr(r)
	if h.clientFailures.Blocked(client) || !h.signingIn.Enter(client) {
		h.tooManySignIns(w, r, username, next, "Too many sign-in attempts from this address. Wait 15 minutes and try again.")
		return
	}
	token, sess, err := func() (string, *tandem.Session, error) {
		defer h.signingIn.Leave(client)
		if len(username) > tandem.MaxUsername {
			// No account has such a name: refused like a wrong password,
			// and nothing of it is stored.
			return "", nil, tandem.Errorf(tandem.EUNAUTHORIZED, "the username or password is wrong")
		}
		return h.svc.Sessions.SignIn(r.Context(), username, r.PostFormValue("password"))
	}()
	switch tandem.ErrorCode(err) {
	case tandem.EUNAUTHORIZED, tandem.ERATELIMITED:
		h.clientFailures.Fail(client)
	}
	switch tandem.ErrorCode(err) {
	case tandem.EUNAUTHORIZED:
		h.showLogin(w, r, http.StatusUnauthorized, loginData{Username: username, Next: next,
			Error: "The username or password is wrong, or the account is locked. After five failed attempts an administrator must unlock the account."})
		return
	case tandem.ERATELIMITED:
		h.tooManySignIns(w, r, username, next, "Too many failed sign-ins for this account. Wait 15 minutes, or ask an administrator to unlock it.")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A new session at every sign-in: any session id planted before it is
	// worthless.
	h.setSessionCookie(w, r, token, int(tandem.SessionAbsolute.Seconds()))
	switch {
	case sess.Complete():
		http.Redirect(w, r, next, http.StatusSeeOther)
	case sess.Enrolled:
		http.Redirect(w, r, "/login/second-factor?next="+urlEscape(next), http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/login/enrol?next="+urlEscape(next), http.StatusSeeOther)
	}
}

// tooManySignIns answers 429 with the sign-in form and when to try again.
func (h *Handler) tooManySignIns(w http.ResponseWriter, r *http.Request, username, next, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(tandem.LockoutWindow.Seconds())))
	h.showLogin(w, r, http.StatusTooManyRequests, loginData{Username: username, Next: next, Error: msg})
}

// clientAddr is the address a request came from: the connection's, never
// a header the client writes. (Behind a proxy every client is the proxy's
// address, which the per-client limit then counts as one station.)
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	// An IPv6 client holds a /64 at least: counted as one, or it would be
	// billions of clients.
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

// safeNext keeps a post-login redirect on this site: a path, never a
// scheme or a host, and no character a browser would drop or reinterpret
// (a tab or a backslash turns "/\t/evil" into "//evil").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// pending returns the session of a user who has given the password but not
// yet the second factor.
func (h *Handler) pending(w http.ResponseWriter, r *http.Request) (*tandem.Session, string, bool) {
	sess, token := h.session(r)
	if sess == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil, "", false
	}
	st := state(r)
	st.token = token
	if r.Method == http.MethodPost && !validCSRF(r, sess.CSRFToken) {
		h.errorPage(w, r, http.StatusForbidden, "Form expired", "This form was not sent from your current session. Go back, reload the page and try again.")
		return nil, "", false
	}
	return sess, token, true
}

type secondFactorData struct {
	Next   string
	Error  string
	CSRF   string
	Secret string
	// QR is a data: URL the server drew: html/template takes it as a URL
	// only when told (a plain string would render "#ZgotmplZ").
	QR  template.URL
	URL string
}

func (h *Handler) secondFactorShow(w http.ResponseWriter, r *http.Request) {
	sess, _, ok := h.pending(w, r)
	if !ok {
		return
	}
	if sess.Complete() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if !sess.Enrolled {
		http.Redirect(w, r, "/login/enrol", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "second_factor", view{Title: "Second factor", Data: secondFactorData{Next: safeNext(r.URL.Query().Get("next")), CSRF: sess.CSRFToken}})
}

func (h *Handler) secondFactorSubmit(w http.ResponseWriter, r *http.Request) {
	sess, token, ok := h.pending(w, r)
	if !ok {
		return
	}
	next := safeNext(r.PostFormValue("next"))
	// A burst of codes is held to the sign-in's bounds: two at once from a
	// client, and its recent failures.
	client := clientAddr(r)
	if h.clientFailures.Blocked(client) || !h.signingIn.Enter(client) {
		w.Header().Set("Retry-After", strconv.Itoa(int(tandem.LockoutWindow.Seconds())))
		h.render(w, r, http.StatusTooManyRequests, "second_factor", view{Title: "Second factor", Data: secondFactorData{Next: next, CSRF: sess.CSRFToken,
			Error: "Too many attempts from this address. Wait 15 minutes and try again."}})
		return
	}
	err := func() error {
		defer h.signingIn.Leave(client)
		return h.svc.Sessions.VerifySecondFactor(r.Context(), token, r.PostFormValue("code"))
	}()
	if err != nil {
		h.clientFailures.Fail(client)
		if c := tandem.ErrorCode(err); c != tandem.EINVALID && c != tandem.ECONFLICT {
			h.fail(w, r, err)
			return
		}
		h.render(w, r, http.StatusUnauthorized, "second_factor", view{Title: "Second factor", Data: secondFactorData{Next: next, CSRF: sess.CSRFToken, Error: tandem.ErrorMessage(err)}})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) enrolShow(w http.ResponseWriter, r *http.Request) {
	sess, token, ok := h.pending(w, r)
	if !ok {
		return
	}
	if sess.Complete() || sess.Enrolled {
		http.Redirect(w, r, "/login/second-factor", http.StatusSeeOther)
		return
	}
	h.showEnrol(w, r, http.StatusOK, sess, token, safeNext(r.URL.Query().Get("next")), "")
}

// showEnrol shows the key the server made for the officer: the form sends
// back only the code, never a key.
func (h *Handler) showEnrol(w http.ResponseWriter, r *http.Request, status int, sess *tandem.Session, token, next, msg string) {
	secret, err := h.svc.Sessions.PendingSecondFactor(r.Context(), token)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	keyURL := otpURL(sess.Officer.Username, secret)
	d := secondFactorData{Next: next, CSRF: sess.CSRFToken, Secret: secret, URL: keyURL, Error: msg}
	if img, err := qrImage(keyURL); err == nil {
		d.QR = template.URL(img) // made here, from PNG bytes: nothing of the client's
	}
	h.render(w, r, status, "enrol", view{Title: "Set up your second factor", Data: d})
}

// otpURL is the otpauth URL authenticator apps read: RFC 6238's defaults,
// issuer Tandem.
func otpURL(username, secret string) string {
	v := url.Values{"secret": {secret}, "issuer": {"Tandem"}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return (&url.URL{Scheme: "otpauth", Host: "totp", Path: "/Tandem:" + username, RawQuery: v.Encode()}).String()
}

// qrImage renders the otpauth URL as a QR code, as a data: URL: the server
// draws it, nothing is fetched from anywhere.
func qrImage(keyURL string) (string, error) {
	key, err := otpKey(keyURL)
	if err != nil {
		return "", err
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func (h *Handler) enrolSubmit(w http.ResponseWriter, r *http.Request) {
	sess, token, ok := h.pending(w, r)
	if !ok {
		return
	}
	next := safeNext(r.PostFormValue("next"))
	err := h.svc.Sessions.EnrolSecondFactor(r.Context(), token, r.PostFormValue("code"))
	if tandem.ErrorCode(err) == tandem.EINVALID {
		h.showEnrol(w, r, http.StatusUnauthorized, sess, token, next, tandem.ErrorMessage(err))
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session, complete or only half signed in (password
// given, second factor not yet).
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	_, token, ok := h.pending(w, r)
	if !ok {
		return
	}
	if err := h.svc.Sessions.SignOut(r.Context(), token); err != nil {
		h.fail(w, r, err)
		return
	}
	h.setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/login?done=signed_out", http.StatusSeeOther)
}
