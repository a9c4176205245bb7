package render

import (
	"strings"
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

// write appends the table to b, each line indented by indent.
func (t *table) write(b *strings.Builder, indent string) {
	var widths []int
	for _, row := range t.rows {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range t.rows {
		var line strings.Builder
		line.WriteString(indent)
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if t.right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}
