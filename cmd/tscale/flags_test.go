package main

import (
	"errors"
	"testing"
)

func TestParseCount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"0", 0, nil},
		{"1", 1, nil},
		{"4096", 4096, nil},
		{"010", 10, nil}, // not octal
		{"0008", 8, nil},
		{"-5", -5, nil}, // the sign is read; Validate says what may be negative
		{"-0", 0, nil},
		{"128k", 128_000, nil},
		{"2M", 2_000_000, nil},
		{"3G", 3_000_000_000, nil},
		{"15T", 15_000_000_000_000, nil},
		{"128Ki", 131_072, nil},
		{"1Mi", 1 << 20, nil},
		{"4Gi", 1 << 32, nil},
		{"1Ti", 1 << 40, nil},
		{"1.5k", 1500, nil},
		{"1.5Ki", 1536, nil},
		{"0.5Ki", 512, nil},
		{"15e12", 15_000_000_000_000, nil},
		{"1.5e13", 15_000_000_000_000, nil},
		{"1E3", 1000, nil},
		{"1e+3", 1000, nil},
		{"15000e-3", 15, nil},
		{"2.50e1", 25, nil},
		{"1e3k", 1_000_000, nil},
		{"0e99999999999", 0, nil},
		{"9223372036854775807", 9223372036854775807, nil},
		{"-9223372036854775808", -9223372036854775808, nil},
		{"9.223372036854775807e18", 9223372036854775807, nil},
		{"8Ei", 0, errNotDecimal},

		{"", 0, errNotDecimal},
		{"-", 0, errNotDecimal},
		{"k", 0, errNotDecimal},
		{"0x10", 0, errNotDecimal},
		{"0o10", 0, errNotDecimal},
		{"0b1", 0, errNotDecimal},
		{"1_000", 0, errNotDecimal},
		{"+5", 0, errNotDecimal},
		{" 5", 0, errNotDecimal},
		{"5 ", 0, errNotDecimal},
		{"1x", 0, errNotDecimal},
		{"128K", 0, errNotDecimal}, // k is 1000; K is neither
		{"1kk", 0, errNotDecimal},
		{"1ki", 0, errNotDecimal},
		{".5", 0, errNotDecimal},
		{"5.", 0, errNotDecimal},
		{"1e", 0, errNotDecimal},
		{"e3", 0, errNotDecimal},
		{"1e3e3", 0, errNotDecimal},
		{"1.2.3", 0, errNotDecimal},
		{"١٢", 0, errNotDecimal}, // Arabic-Indic digits
		{"Inf", 0, errNotDecimal},
		{"NaN", 0, errNotDecimal},

		{"0.5", 0, errNotWhole},
		{"1.5e0", 0, errNotWhole},
		{"1.0001k", 0, errNotWhole},
		{"1e-1", 0, errNotWhole},
		{"1e-99999999", 0, errNotWhole},
		{"1.1Ki", 0, errNotWhole},

		{"9223372036854775808", 0, errOutOfRange},
		{"-9223372036854775809", 0, errOutOfRange},
		{"1e19", 0, errOutOfRange},
		{"1e30", 0, errOutOfRange},
		{"1e99999999999", 0, errOutOfRange},
		{"9223372036854775807k", 0, errOutOfRange},
		{"8388608Ti", 0, errOutOfRange}, // 2^63
		{"99999999999999999999999999999", 0, errOutOfRange},
	}
	for _, tt := range tests {
		got, err := parseCount(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("parseCount(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestCountFlagMessage: a malformed count names its flag and the value, and
// the flag keeps its default.
func TestCountFlagMessage(t *testing.T) {
	fs := newFlagSet("report", "", "", nil)
	seq := fs.count("seq", 7, "")
	_, err := fs.parse([]string{"-seq", "1x"}, nil)
	if got, want := err.Error(), `-seq must be a decimal integer, got "1x"`; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if seq.n != 7 || seq.set {
		t.Errorf("after a bad value: %d, set %v", seq.n, seq.set)
	}
}
