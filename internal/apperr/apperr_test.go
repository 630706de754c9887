package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeOf(t *testing.T) {
	base := NotFoundf("entity %q", "XYZ")
	wrapped := fmt.Errorf("load: %w", base)
	tests := []struct {
		err  error
		want Code
	}{
		{nil, ""},
		{errors.New("plain"), Internal},
		{base, NotFound},
		{wrapped, NotFound},
		{Invalidf("code", "too long"), Invalid},
	}
	for _, tt := range tests {
		if got := CodeOf(tt.err); got != tt.want {
			t.Errorf("CodeOf(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if !errors.Is(&Error{Code: Internal, Err: errBoom}, errBoom) {
		t.Error("Unwrap does not expose the cause")
	}
}

var errBoom = errors.New("boom")
