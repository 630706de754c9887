package sms

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/oneaccount/oneaccount/internal/apperr"
)

// maxResponse bounds how much of an answer the channel reads.
const maxResponse = 64 << 10

// maxReason bounds the provider's reason quoted in an error.
const maxReason = 200

// checkResponse reads a bounded part of resp, closes it and maps its status
// to nil or an apperr code, as the package documentation describes.
func checkResponse(resp *http.Response) error {
	defer func() { _ = resp.Body.Close() }()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	detail := fmt.Sprintf("sms: provider answered %d", code)
	if reason := providerReason(body); reason != "" {
		detail += ": " + reason
	}
	return &apperr.Error{Code: statusCode(code), Detail: detail, Err: readErr}
}

// statusCode classifies a non-2xx status: retryable or permanent.
func statusCode(status int) apperr.Code {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly,
		status == http.StatusTooManyRequests, status >= 500:
		return apperr.Unavailable
	case status >= 400:
		return apperr.Invalid
	default: // 1xx and 3xx should not reach us
		return apperr.Unavailable
	}
}

// providerReason returns the "error" member of a JSON answer, cut short and
// stripped of control characters, or "".
func providerReason(body []byte) string {
	var v struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	r := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v.Error)
	if len(r) > maxReason {
		r = strings.ToValidUTF8(r[:maxReason], "") + "…"
	}
	return r
}
