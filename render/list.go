package render

import (
	"bytes"
	"io"
)

// WriteList writes one line per report to w: the model's slug, name, total
// parameters, context (max_position_embeddings) and an estimate mark.
func WriteList(w io.Writer, docs []Document) error {
	t := newTable([]string{"slug", "name", "params", "", "context", "estimate"}, 2, 3, 4)
	for _, d := range docs {
		mark := ""
		if d.Model.Estimate {
			mark = "estimate"
		}
		t.add(d.Model.Slug, d.Model.Name, grouped(d.Params.Total), humanCount(d.Params.Total), grouped(d.Config.MaxPositionEmbeddings), mark)
	}
	var b bytes.Buffer
	t.write(&b, "")
	_, err := w.Write(b.Bytes())
	return err
}
