package web

import (
	"net/url"

	"github.com/pquerna/otp"
)

func otpKey(keyURL string) (*otp.Key, error) { return otp.NewKeyFromURL(keyURL) }

func urlEscape(s string) string { return url.QueryEscape(s) }
