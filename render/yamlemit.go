package render

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// emitYAML appends to dst the YAML that yaml.v3's encoder (indent 2, as
// encodeYAMLNode sets it up) writes for the JSON document js, read as
// yamlNode reads it and styled as blockStyle styles it: block mappings and
// sequences, lists of integers in flow style. It reads js byte by byte and
// builds no node tree.
//
// It reproduces yaml.v3 byte for byte for the documents it accepts: an
// object at the top; keys of at most 128 bytes; strings without line breaks
// that do not start with a byte order mark; floats within float64's range.
// For anything else it returns ok false, and the caller encodes the document
// with yaml.v3 itself.
func emitYAML(dst, js []byte) (out []byte, ok bool) {
	e := yamlEmitter{js: js, out: dst, ok: true}
	e.skipSpace()
	if e.peek() != '{' || e.emptyAhead() {
		return dst, false
	}
	e.pos++
	e.entries(0, false)
	e.skipSpace()
	if e.pos != len(e.js) {
		e.ok = false
	}
	if !e.ok {
		return dst, false
	}
	return e.out, true
}

// yamlEmitter reads a JSON document and writes its YAML. Once ok is false
// it stops writing anything meaningful; the caller discards the output.
type yamlEmitter struct {
	js  []byte
	pos int
	out []byte
	ok  bool
}

func (e *yamlEmitter) fail() { e.ok = false; e.pos = len(e.js) }

func (e *yamlEmitter) skipSpace() {
	for e.pos < len(e.js) {
		switch e.js[e.pos] {
		case ' ', '\t', '\n', '\r':
			e.pos++
		default:
			return
		}
	}
}

// peek is the next byte that is not white space, or 0 at the end.
func (e *yamlEmitter) peek() byte {
	e.skipSpace()
	if e.pos >= len(e.js) {
		return 0
	}
	return e.js[e.pos]
}

// expect consumes the byte c, or fails.
func (e *yamlEmitter) expect(c byte) {
	if e.peek() != c {
		e.fail()
		return
	}
	e.pos++
}

// emptyAhead says whether the container that opens at pos closes at once.
func (e *yamlEmitter) emptyAhead() bool {
	i := e.pos + 1
	for i < len(e.js) && (e.js[i] == ' ' || e.js[i] == '\n' || e.js[i] == '\t' || e.js[i] == '\r') {
		i++
	}
	return i < len(e.js) && (e.js[i] == ']' || e.js[i] == '}')
}

// intsAhead says whether the array that opens at pos holds integers alone
// (and at least one): blockStyle puts such a list in flow style.
func (e *yamlEmitter) intsAhead() bool {
	n := 0
	for i := e.pos + 1; i < len(e.js); i++ {
		switch c := e.js[i]; {
		case c == ']':
			return n > 0
		case c >= '0' && c <= '9':
			n++
		case c == '-' || c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r':
		default:
			return false
		}
	}
	return false
}

func (e *yamlEmitter) indent(n int) {
	for ; n > 0; n-- {
		e.out = append(e.out, ' ')
	}
}

// entries writes the members of the object whose '{' has just been read, at
// indentation indent. With inline, the first key goes where the output is
// now (after a sequence's "- "); the others start their own lines.
func (e *yamlEmitter) entries(indent int, inline bool) {
	for first := true; e.ok; first = false {
		if e.peek() == '}' {
			e.pos++
			return
		}
		if !first {
			e.expect(',')
		}
		if !first || !inline {
			e.indent(indent)
		}
		key, ok := e.str()
		if !ok || len(key) > 128 { // a longer key is not a simple key: "? key"
			e.fail()
			return
		}
		e.scalar(key)
		e.out = append(e.out, ':')
		e.expect(':')
		e.value(indent, false)
	}
}

// items writes the elements of the array whose '[' has just been read, each
// "- " at indentation indent; with inline, the first goes where the output
// is now.
func (e *yamlEmitter) items(indent int, inline bool) {
	for first := true; e.ok; first = false {
		if e.peek() == ']' {
			e.pos++
			return
		}
		if !first {
			e.expect(',')
		}
		if !first || !inline {
			e.indent(indent)
		}
		e.out = append(e.out, '-')
		e.value(indent, true)
	}
}

// value writes the next JSON value, after "key:" of a mapping at
// indentation indent or, with inSeq, after the "-" of a sequence item at
// column indent. It ends the line(s) it writes.
func (e *yamlEmitter) value(indent int, inSeq bool) {
	switch c := e.peek(); c {
	case '{':
		if e.emptyAhead() {
			e.out = append(e.out, " {}\n"...)
			e.pos++
			e.expect('}')
			return
		}
		e.pos++
		if inSeq {
			e.out = append(e.out, ' ')
		} else {
			e.out = append(e.out, '\n')
		}
		e.entries(indent+2, inSeq)
	case '[':
		if e.emptyAhead() {
			e.out = append(e.out, " []\n"...)
			e.pos++
			e.expect(']')
			return
		}
		if e.intsAhead() {
			e.pos++
			e.out = append(e.out, " ["...)
			for first := true; e.ok; first = false {
				if e.peek() == ']' {
					e.pos++
					break
				}
				if !first {
					e.expect(',')
					e.out = append(e.out, ", "...)
				}
				e.number()
			}
			e.out = append(e.out, "]\n"...)
			return
		}
		e.pos++
		if inSeq {
			e.out = append(e.out, ' ')
		} else {
			e.out = append(e.out, '\n')
		}
		e.items(indent+2, inSeq)
	case '"':
		s, ok := e.str()
		if !ok {
			e.fail()
			return
		}
		e.out = append(e.out, ' ')
		e.scalar(s)
		e.out = append(e.out, '\n')
	case 't', 'f', 'n':
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(e.js)-e.pos >= len(lit) && string(e.js[e.pos:e.pos+len(lit)]) == lit {
				e.pos += len(lit)
				e.out = append(e.out, ' ')
				e.out = append(e.out, lit...)
				e.out = append(e.out, '\n')
				return
			}
		}
		e.fail()
	default:
		e.out = append(e.out, ' ')
		e.number()
		e.out = append(e.out, '\n')
	}
}

// number copies the JSON number at pos. An integer beyond 64 bits gets
// its tag, !!int, as yaml.v3 writes it; a float that would not read back as
// a float (beyond float64's range) leaves the document to yaml.v3.
func (e *yamlEmitter) number() {
	e.skipSpace()
	start := e.pos
	float := false
	for e.pos < len(e.js) {
		c := e.js[e.pos]
		if c == '.' || c == 'e' || c == 'E' {
			float = true
		} else if !(c >= '0' && c <= '9' || c == '-' || c == '+') {
			break
		}
		e.pos++
	}
	num := e.js[start:e.pos]
	if len(num) == 0 {
		e.fail()
		return
	}
	if float {
		if _, err := strconv.ParseFloat(string(num), 64); err != nil || !yamlStyleFloat.Match(num) || isYAMLInt(string(num)) {
			e.fail()
			return
		}
	} else if !isYAMLInt(string(num)) {
		// Beyond 64 bits yaml.v3 would read the digits back as a float
		// (or a string), so it keeps the tag.
		e.out = append(e.out, "!!int "...)
	}
	e.out = append(e.out, num...)
}

// isYAMLInt says whether yaml.v3 resolves the plain scalar s, all digits
// with an optional sign, as an !!int: whether it fits in 64 bits.
func isYAMLInt(s string) bool {
	if strings.ContainsAny(s, ".eE") { // a JSON float, which both refuse (without making an error)
		return false
	}
	if _, err := strconv.ParseInt(s, 0, 64); err == nil {
		return true
	}
	_, err := strconv.ParseUint(s, 0, 64)
	return err == nil
}

// str reads the JSON string at pos. The bytes are js's own when the string
// has no escapes.
func (e *yamlEmitter) str() ([]byte, bool) {
	if e.peek() != '"' {
		return nil, false
	}
	start := e.pos
	escaped := false
	for i := start + 1; i < len(e.js); i++ {
		switch e.js[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			e.pos = i + 1
			if !escaped {
				return e.js[start+1 : i], true
			}
			var s string
			if err := json.Unmarshal(e.js[start:i+1], &s); err != nil {
				return nil, false
			}
			return []byte(s), true
		}
	}
	return nil, false
}

// scalar writes the string s as yaml.v3 writes a !!str scalar in block
// context: plain when it reads back as itself, single-quoted when an
// indicator or an edge space forbids plain, double-quoted when it would
// read back as another type (null, a bool, a number, a timestamp) or holds
// a tab or a character YAML cannot print.
func (e *yamlEmitter) scalar(s []byte) {
	switch yamlStyleOf(s) {
	case yamlPlain:
		e.out = append(e.out, s...)
	case yamlSingleQuoted:
		e.out = append(e.out, '\'')
		for i := 0; i < len(s); i++ {
			if s[i] == '\'' {
				e.out = append(e.out, '\'')
			}
			e.out = append(e.out, s[i])
		}
		e.out = append(e.out, '\'')
	case yamlDoubleQuoted:
		e.out = appendDoubleQuoted(e.out, s)
	default:
		e.fail()
	}
}

type yamlStyle int

const (
	yamlUnsupported yamlStyle = iota // left to yaml.v3: line breaks, a leading BOM, invalid UTF-8
	yamlPlain
	yamlSingleQuoted
	yamlDoubleQuoted
)

// yamlStyleOf is the style yaml.v3 gives the !!str scalar s in block
// context, following yaml_emitter_analyze_scalar and
// yaml_emitter_select_scalar_style, for the strings emitYAML accepts.
func yamlStyleOf(s []byte) yamlStyle {
	special, ascii := false, true
	for _, c := range s {
		switch {
		case c >= 0x20 && c < 0x7F: // printable ASCII: most of every string
		case c >= 0x80:
			ascii = false
		case c == '\n' || c == '\r':
			return yamlUnsupported
		default: // a tab, another control character or DEL
			special = true
		}
	}
	if !ascii {
		if !utf8.Valid(s) || bytes.HasPrefix(s, []byte("\uFEFF")) {
			return yamlUnsupported
		}
		for i := 0; i < len(s); i += yamlWidth(s[i]) {
			if s[i] < 0x80 {
				continue
			}
			if yamlIsBreak(s, i) {
				return yamlUnsupported
			}
			if !yamlIsPrintable(s, i) {
				special = true
			}
		}
	}
	if special || !yamlResolvesToStr(s) {
		return yamlDoubleQuoted
	}
	// No tab, break or special character from here: the only blank is ' '.
	if s[0] == ' ' || s[len(s)-1] == ' ' || yamlBlockIndicators(s) {
		return yamlSingleQuoted
	}
	return yamlPlain
}

// yamlBlockIndicators says whether s, printable and without tabs or
// breaks, has an indicator that forbids a plain scalar in block context.
func yamlBlockIndicators(s []byte) bool {
	if bytes.HasPrefix(s, []byte("---")) || bytes.HasPrefix(s, []byte("...")) {
		return true
	}
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return true
	case '?', ':', '-':
		if len(s) == 1 || s[1] == ' ' {
			return true
		}
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case ':': // ": " or a final ':'
			if i+1 == len(s) || s[i+1] == ' ' {
				return true
			}
		case '#': // " #"
			if s[i-1] == ' ' {
				return true
			}
		}
	}
	return false
}

// appendDoubleQuoted appends s double-quoted with yaml.v3's escapes.
func appendDoubleQuoted(out, s []byte) []byte {
	const hex = "0123456789ABCDEF"
	out = append(out, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if yamlIsPrintable(s, i) && !yamlIsBreak(s, i) && c != '"' && c != '\\' {
			w := yamlWidth(c)
			out = append(out, s[i:i+w]...)
			i += w
			continue
		}
		r, w := utf8.DecodeRune(s[i:])
		i += w
		out = append(out, '\\')
		switch r {
		case 0x00:
			out = append(out, '0')
		case 0x07:
			out = append(out, 'a')
		case 0x08:
			out = append(out, 'b')
		case 0x09:
			out = append(out, 't')
		case 0x0A:
			out = append(out, 'n')
		case 0x0b:
			out = append(out, 'v')
		case 0x0c:
			out = append(out, 'f')
		case 0x0d:
			out = append(out, 'r')
		case 0x1b:
			out = append(out, 'e')
		case '"':
			out = append(out, '"')
		case '\\':
			out = append(out, '\\')
		case 0x85:
			out = append(out, 'N')
		case 0xA0:
			out = append(out, '_')
		case 0x2028:
			out = append(out, 'L')
		case 0x2029:
			out = append(out, 'P')
		default:
			digits := 8
			switch {
			case r <= 0xFF:
				out, digits = append(out, 'x'), 2
			case r <= 0xFFFF:
				out, digits = append(out, 'u'), 4
			default:
				out = append(out, 'U')
			}
			for k := (digits - 1) * 4; k >= 0; k -= 4 {
				out = append(out, hex[(r>>uint(k))&0x0F])
			}
		}
	}
	return append(out, '"')
}

// yamlWidth is the length of the UTF-8 sequence that starts with byte b.
func yamlWidth(b byte) int {
	switch {
	case b&0x80 == 0x00:
		return 1
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	}
	return 1
}

// yamlIsPrintable is yaml.v3's is_printable for the character at s[i]
// (s valid UTF-8): note that it excludes every character beyond U+FFFF.
func yamlIsPrintable(s []byte, i int) bool {
	b := s[i]
	switch {
	case b == 0x0A || b >= 0x20 && b <= 0x7E:
		return true
	case b == 0xC2:
		return s[i+1] >= 0xA0
	case b > 0xC2 && b < 0xED:
		return true
	case b == 0xED:
		return s[i+1] < 0xA0
	case b == 0xEE:
		return true
	case b == 0xEF:
		return !(s[i+1] == 0xBB && s[i+2] == 0xBF) && !(s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF))
	}
	return false
}

// yamlIsBreak is yaml.v3's is_break: CR, LF, NEL, LS or PS at s[i].
func yamlIsBreak(s []byte, i int) bool {
	switch s[i] {
	case '\r', '\n':
		return true
	case 0xC2:
		return s[i+1] == 0x85
	case 0xE2:
		return s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9)
	}
	return false
}

// yamlStyleFloat is yaml.v3's pattern of a float.
var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// yamlResolvesToStr says whether yaml.v3 reads s, written plain, back as a
// !!str: yaml.v3's resolve, which the encoder consults to decide that a
// string needs quotes.
func yamlResolvesToStr(b []byte) bool {
	if len(b) == 0 {
		return false // null
	}
	switch b[0] {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		return !yamlSpecialWords[string(b)]
	case '.':
		if yamlSpecialWords[string(b)] {
			return false
		}
		_, err := strconv.ParseFloat(string(b), 64)
		return err != nil
	case '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		s := string(b)
		if yamlSpecialWords[s] || yamlTimestamp(s) {
			return false
		}
		// Every form below is made of these bytes alone; most strings that
		// start with a digit ("0-31" layers, say) are not, and skip the
		// parsers and their errors.
		if strings.Trim(s, "0123456789abcdefABCDEFxXoO_+-.") != "" {
			return true
		}
		plain := strings.ReplaceAll(s, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return false
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return false
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return false
			}
		}
		for _, p := range []struct {
			prefix string
			base   int
		}{{"0b", 2}, {"0o", 8}} {
			if strings.HasPrefix(plain, p.prefix) {
				if _, err := strconv.ParseInt(plain[2:], p.base, 64); err == nil {
					return false
				}
				if _, err := strconv.ParseUint(plain[2:], p.base, 64); err == nil {
					return false
				}
			} else if strings.HasPrefix(plain, "-"+p.prefix) {
				if _, err := strconv.ParseInt("-"+plain[3:], p.base, 64); err == nil {
					return false
				}
			}
		}
	}
	return true
}

// yamlSpecialWords are the plain scalars yaml.v3 reads as a bool, null,
// infinity, NaN or the merge key.
var yamlSpecialWords = map[string]bool{
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
	"~": true, "null": true, "Null": true, "NULL": true,
	".nan": true, ".NaN": true, ".NAN": true, ".inf": true, ".Inf": true, ".INF": true,
	"+.inf": true, "+.Inf": true, "+.INF": true, "-.inf": true, "-.Inf": true, "-.INF": true,
	"<<": true,
}

// yamlTimestamp is yaml.v3's parseTimestamp: whether s reads as a date.
func yamlTimestamp(s string) bool {
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range []string{
		"2006-1-2T15:4:5.999999999Z07:00",
		"2006-1-2t15:4:5.999999999Z07:00",
		"2006-1-2 15:4:5.999999999",
		"2006-1-2",
	} {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}
