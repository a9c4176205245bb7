package render

import "strings"

// ListRow is one preset in a list.
type ListRow struct {
	Model   Model
	Params  int64 // params.total
	Context int64 // default sequence length
}

// List writes one line per preset: slug, name, total parameters, context
// and an estimate mark.
func List(rows []ListRow) []byte {
	t := newTable([]string{"slug", "name", "params", "", "context", "estimate"}, 2, 3, 4)
	for _, r := range rows {
		mark := ""
		if r.Model.Estimate {
			mark = "estimate"
		}
		t.add(r.Model.Slug, r.Model.Name, Grouped(r.Params), HumanCount(r.Params), Grouped(r.Context), mark)
	}
	var b strings.Builder
	t.write(&b, "")
	return []byte(b.String())
}
