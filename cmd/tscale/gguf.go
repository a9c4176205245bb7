package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/tscale/tscale/gguf"
	"github.com/tscale/tscale/presets"
	"github.com/tscale/tscale/render"
	"github.com/tscale/tscale/scale"
)

// ggufModel is a model read from a GGUF file: its header and its tensors
// checked against the config its metadata gives.
type ggufModel struct {
	path  string
	file  *gguf.File
	check *scale.GGUFCheck
}

// readGGUF reads the GGUF file at path, a regular file, as a preset: its
// header only (gguf.Read: metadata and tensor infos, at most
// gguf.MaxHeaderBytes, never the tensor data), mapped to a config by
// presets.FromGGUF, its tensors checked against it by scale.CompareGGUF.
func readGGUF(fsys fileSystem, path string) (presets.Preset, *ggufModel, error) {
	info, err := fsys.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return presets.Preset{}, nil, fmt.Errorf("%s: no such file", path)
	case err != nil:
		return presets.Preset{}, nil, fmt.Errorf("-gguf %s: %w", path, cause(err))
	case info.IsDir():
		return presets.Preset{}, nil, fmt.Errorf("%s is a folder; pass a .gguf file", path)
	case !info.Mode().IsRegular():
		return presets.Preset{}, nil, fmt.Errorf("%s is not a regular file (tscale reads the header of a .gguf file)", path)
	}
	f, err := fsys.Open(path)
	if err != nil {
		return presets.Preset{}, nil, fmt.Errorf("open %s: %w", path, cause(err))
	}
	defer f.Close()
	file, err := gguf.Read(f, info.Size())
	if err != nil {
		return presets.Preset{}, nil, fmt.Errorf("%s: %w", path, cause(err))
	}
	p, tensors, err := presets.FromGGUF(path, file)
	if err != nil {
		return presets.Preset{}, nil, err
	}
	check, err := scale.CompareGGUF(p.Config, tensors)
	if err != nil {
		return presets.Preset{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, &ggufModel{path: path, file: file, check: check}, nil
}

// write writes the report d of the model, with what the file stores.
func (g *ggufModel) write(w io.Writer, d render.Document, f render.Format) error {
	return render.WriteGGUF(w, render.GGUFDocument{Document: d, Path: g.path, File: g.file, Check: g.check}, f)
}
