package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Format is how Write lays out one report: FormatText, FormatYAML or
// FormatJSON. A table of several reports has its own formats (TableFormat):
// the two sets differ, and a table format passed to Write, or the reverse,
// does not compile.
type Format string

// The formats of one report.
const (
	FormatText Format = "text" // for people: exact numbers with a short form, tables aligned
	FormatYAML Format = "yaml" // the document, in block style
	FormatJSON Format = "json" // the document, indented
)

// formats are the formats of one report, in the order errors list them.
var formats = []Format{FormatText, FormatYAML, FormatJSON}

// ParseFormat returns the report format named s: "text", "yaml" or "json".
// Its error reads "format must be one of text, yaml, json, got "xml"".
func ParseFormat(s string) (Format, error) {
	return parse(s, formats)
}

// TableFormat is how WriteCompare lays out a table of several reports:
// TableText, TableMarkdown or TableCSV.
type TableFormat string

// The formats of a table.
const (
	TableText     TableFormat = "text"     // aligned columns, exact numbers with a short form, then a footnote
	TableMarkdown TableFormat = "markdown" // a Markdown table of exact numbers, then the footnote
	TableCSV      TableFormat = "csv"      // exact numbers alone, no footnote
)

var tableFormats = []TableFormat{TableText, TableMarkdown, TableCSV}

// ParseTableFormat returns the table format named s: "text", "markdown" or
// "csv". Its error reads "format must be one of text, markdown, csv, got "pdf"".
func ParseTableFormat(s string) (TableFormat, error) {
	return parse(s, tableFormats)
}

func parse[F ~string](s string, allowed []F) (F, error) {
	names := make([]string, len(allowed))
	for i, f := range allowed {
		if string(f) == s {
			return f, nil
		}
		names[i] = string(f)
	}
	return "", fmt.Errorf("format must be one of %s, got %q", strings.Join(names, ", "), s)
}

// Write writes the report d to w in format f. Nothing is written when d
// cannot be encoded; the output goes to w in one Write call.
func Write(w io.Writer, d Document, f Format) error {
	out, err := Encode(d, f)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// Encode returns the report d in format f: the bytes Write writes, in a
// slice of their own that the caller keeps.
func Encode(d Document, f Format) ([]byte, error) { return encode(d, f) }

// encode renders d into a pooled buffer, then copies the report out once:
// the one allocation of the report's size.
func encode(d Document, f Format) ([]byte, error) {
	scratch := encodeScratches.Get().(*[]byte)
	defer encodeScratches.Put(scratch)
	out, err := Append((*scratch)[:0], d, f)
	if err != nil {
		return nil, err
	}
	*scratch = out
	return bytes.Clone(out), nil
}

// encodeScratches keeps the buffers Encode renders into, grown to the
// largest report, across calls.
var encodeScratches = sync.Pool{New: func() any { return new([]byte) }}

// Append appends the report d in format f to dst and returns the extended
// slice: the bytes Encode returns, for a caller that renders report after
// report into one buffer of its own and writes each before the next.
// Nothing is appended when d cannot be encoded.
func Append(dst []byte, d Document, f Format) ([]byte, error) {
	switch f {
	case FormatText:
		return appendText(dst, d), nil
	case FormatYAML:
		return appendYAML(dst, d)
	case FormatJSON:
		return appendJSON(dst, d)
	}
	return dst, fmt.Errorf("render %q: unknown report format %q", d.Model.Slug, string(f))
}
