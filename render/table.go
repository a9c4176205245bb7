package render

import (
	"bytes"
	"unicode/utf8"
)

// table lays out rows (after an optional header) in aligned columns, two spaces apart. Columns listed
// in right are right-aligned (numbers); the others are left-aligned.
type table struct {
	rows  [][]string
	right uint64 // bit i: column i is right-aligned
}

func newTable(header []string, rightAligned ...int) *table {
	t := &table{}
	for _, c := range rightAligned {
		t.right |= 1 << c
	}
	if header != nil {
		t.rows = append(t.rows, header)
	}
	return t
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// write appends the table to b, each line indented by indent, with no
// trailing spaces.
func (t *table) write(b *bytes.Buffer, indent string) {
	var widths []int
	for _, row := range t.rows {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := make([]byte, 0, 256)
	for _, row := range t.rows {
		line = append(line[:0], indent...)
		for i, c := range row {
			if i > 0 {
				line = append(line, "  "...)
			}
			pad := widths[i] - utf8.RuneCountInString(c)
			if t.right&(1<<i) != 0 {
				line = appendSpaces(line, pad)
				line = append(line, c...)
			} else {
				line = append(line, c...)
				line = appendSpaces(line, pad)
			}
		}
		for len(line) > 0 && line[len(line)-1] == ' ' {
			line = line[:len(line)-1]
		}
		b.Write(line)
		b.WriteByte('\n')
	}
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}
