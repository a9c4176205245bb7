package render

import (
	"bytes"
	"unicode/utf8"
)

// table lays out rows (after an optional header) in aligned columns, two spaces apart. Columns listed
// in right are right-aligned (numbers); the others are left-aligned.
type table struct {
	rows  [][]string
	right map[int]bool
}

func newTable(header []string, rightAligned ...int) *table {
	t := &table{right: map[int]bool{}}
	for _, c := range rightAligned {
		t.right[c] = true
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
	runes := make([][]int, len(t.rows))
	for r, row := range t.rows {
		runes[r] = make([]int, len(row))
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			runes[r][i] = utf8.RuneCountInString(c)
			widths[i] = max(widths[i], runes[r][i])
		}
	}
	line := make([]byte, 0, 256)
	for r, row := range t.rows {
		line = append(line[:0], indent...)
		for i, c := range row {
			if i > 0 {
				line = append(line, "  "...)
			}
			pad := widths[i] - runes[r][i]
			if t.right[i] {
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
