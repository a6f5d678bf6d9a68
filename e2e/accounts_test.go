package e2e

import (
	"bytes"
	"image"
	_ "image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pquerna/otp/totp"
)

// TestAccounts_AnAdministratorCreatesAndDisablesARealAccount: an
// administrator creates an account by clicking; the new officer signs in
// and enrols a second factor by scanning the QR code as the browser drew
// it (decoded from a screenshot of the image, not read from the page's
// text); the account waits for a second person; the administrator then
// disables it, and the officer's next page is the sign-in form.
func TestAccounts_AnAdministratorCreatesAndDisablesARealAccount(t *testing.T) {
	onEveryServer(t, func(t *testing.T, srv *server) {
		const username, pw = "e2e.newcomer", "first password, passed on in person"
		adm := newBrowser(t, srv)
		adm.login("admin") // lands on the officers
		adm.follow(`main a[href="/officers/new"]`, "the new-account form")
		adm.do("fill the account form",
			chromedp.SendKeys(chromedp.CSS("#username"), username),
			chromedp.SendKeys(chromedp.CSS("#name"), "DC Nia Newcomer"),
			chromedp.SendKeys(chromedp.CSS("#gender"), "female"),
			chromedp.Click(chromedp.CSS(`input[name=roles][value=handler]`)),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
		)
		// Forgot the unit: the page says so beside the field.
		p := adm.submit(`form[action="/officers"] button[type=submit]`, "an account with no unit", http.StatusBadRequest)
		if got := adm.eval("the unit's error", `(document.getElementById("err-unit")||{}).textContent||""`); !strings.HasPrefix(got, "A unit is required") {
			t.Errorf("beside the unit field: %q; the page: %.300s", got, p.Text)
		}
		adm.do("add the unit and the password again",
			chromedp.SendKeys(chromedp.CSS("#unit"), "North Source Unit"),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
		)
		made := adm.submit(`form[action="/officers"] button[type=submit]`, "account created", http.StatusOK)
		if !strings.Contains(made.Text, "Account created") || !strings.Contains(made.Text, "awaiting confirmation") {
			t.Fatalf("after creating: %.400s", made.Text)
		}

		// The newcomer's first sign-in: enrol by scanning the code.
		nb := newBrowser(t, srv)
		nb.open("/login", "the newcomer's sign-in form")
		nb.do("sign in as the newcomer",
			chromedp.SendKeys(chromedp.CSS("#username"), username),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
		)
		enrol := nb.follow(`form[action="/login"] button[type=submit]`, "second-factor set-up")
		if !strings.Contains(enrol.URL, "/login/enrol") {
			t.Fatalf("the first sign-in of a real account went to %s, want the set-up page", enrol.URL)
		}
		shot, err := chromedp.Run(nb.ctx, chromedp.Screenshot(chromedp.CSS(`img.qr`), chromedp.NodeVisible))
		if err != nil {
			t.Fatalf("screenshot the QR code: %v", err)
		}
		keyURL := decodeQR(t, shot)
		u, err := url.Parse(keyURL)
		if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
			t.Fatalf("the QR code holds %q, want an otpauth://totp/ URL", keyURL)
		}
		secret := u.Query().Get("secret")
		if shown := nb.eval("the key as text", `document.querySelector("code.secret").textContent`); secret == "" || secret != shown {
			t.Errorf("the QR code's key %q is not the key the page shows %q", secret, shown)
		}
		if !strings.Contains(u.Path, username) || u.Query().Get("issuer") != "Tandem" {
			t.Errorf("the QR code names %q, issuer %q", u.Path, u.Query().Get("issuer"))
		}
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		nb.do("type the code from the app", chromedp.SendKeys(chromedp.CSS("#code"), code))
		first := nb.follow(`form[action="/login/enrol"] button[type=submit]`, "the newcomer's first page")
		if !strings.Contains(first.Text, "awaits confirmation") {
			t.Errorf("an unconfirmed account's first page: %.300s", first.Text)
		}

		// The administrator disables the account from its page.
		adm.follow(`nav a[href="/officers"]`, "the officers")
		adm.follow(`main a[href^="/officers/"][href$="`+accountID(t, made.URL)+`"]`, "the newcomer's account")
		adm.do("the reason", chromedp.SendKeys(chromedp.CSS("#disable-reason"), "created in error"))
		gone := adm.follow(`form[action$="/disable"] button[type=submit]`, "account disabled")
		if !strings.Contains(gone.Text, "Account disabled") || !strings.Contains(gone.Text, "disabled") {
			t.Errorf("after disabling: %.300s", gone.Text)
		}
		next := nb.open("/", "the newcomer's next page")
		if !strings.Contains(next.URL, "/login") {
			t.Errorf("a disabled account's next page is %s, want the sign-in form", next.URL)
		}
	})
}

// accountID is the officer id in an account page's address.
func accountID(t *testing.T, pageURL string) string {
	t.Helper()
	u, err := url.Parse(pageURL)
	if err != nil || !strings.HasPrefix(u.Path, "/officers/") {
		t.Fatalf("not an account page: %s", pageURL)
	}
	return strings.TrimPrefix(u.Path, "/officers/")
}

// decodeQR reads the text of the QR code in a PNG picture.
func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatalf("the screenshot of the QR code is no picture: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code could be read from the screenshot: %v", err)
	}
	return res.GetText()
}
