package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// outFile is one file to write: its path inside the output folder
// ("yaml/gpt2.yaml") and its bytes.
type outFile struct {
	rel  string
	data []byte
}

// writeAll writes files into the folder out, all or nothing: newWriter,
// stage for each file, then commit (or undo where staging fails).
func writeAll(fsys fileSystem, out string, files []outFile) error {
	rels := make([]string, len(files))
	for i, f := range files {
		rels[i] = f.rel
	}
	w, err := newWriter(fsys, out, rels)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := w.stage(f.rel, f.data); err != nil {
			return w.undo(err)
		}
	}
	return w.commit()
}

// writer writes files into the folder out, all or nothing. stage writes
// each file into a staging folder inside out (out/.tscale-staging-*) as it
// comes, so that the caller need not keep it; commit then moves each into
// place with a rename, so that a report is replaced atomically; an existing
// file is first linked (or copied) into the staging folder. If any step
// fails, undo puts back every replaced file, removes every file and folder
// the writer created, and returns an error naming the path: out is then as
// it was before. A successful run leaves no staging folder.
type writer struct {
	fs      fileSystem
	out     string
	exists  map[string]bool  // target paths that exist before the run
	sizes   map[string]int64 // the size of each target that is a regular file
	created []string         // folders created, outermost first
	staging string           // made by the first file that changes
	staged  []string         // the files staged, in order, relative to out
	placed  []placed         // targets moved into place or backed up, in order
}

// placed is a target whose old file was backed up and/or whose new file was
// moved into place.
type placed struct {
	target, backup string // backup is "" when the target did not exist
	moved          bool   // the new file is in place
}

// newWriter checks, before touching anything, that out and the folders the
// files rels (relative to out) go into are folders or absent, and that no
// target is a folder.
func newWriter(fsys fileSystem, out string, rels []string) (*writer, error) {
	w := &writer{fs: fsys, out: out, exists: map[string]bool{}, sizes: map[string]int64{}}
	dirs := []string{w.out}
	for _, rel := range rels {
		if d := filepath.Join(w.out, filepath.Dir(rel)); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		info, err := w.fs.Stat(d)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("write %s: %w", d, cause(err))
		case !info.IsDir():
			return nil, fmt.Errorf("write %s: it is a file, not a folder; nothing was written", d)
		}
	}
	for _, rel := range rels {
		target := filepath.Join(w.out, rel)
		info, err := w.fs.Lstat(target) // a symbolic link, even dangling, is replaced and put back
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("write %s: %w", target, cause(err))
		case info.IsDir():
			return nil, fmt.Errorf("write %s: it is a folder; nothing was written", target)
		default:
			w.exists[target] = true
			if info.Mode().IsRegular() {
				w.sizes[target] = info.Size()
			}
		}
	}
	return w, nil
}

// stage writes data, the new bytes of the file rel (one of newWriter's),
// into the staging folder; the caller may reuse data once it returns. A
// target that is a regular file holding exactly data is left alone:
// writing it again would change nothing. The first file staged makes the
// staging folder, the next ones the folders they go into.
func (w *writer) stage(rel string, data []byte) error {
	target := filepath.Join(w.out, rel)
	if size, ok := w.sizes[target]; ok && size == int64(len(data)) && w.holds(target, data) {
		return nil
	}
	if w.staging == "" {
		if err := w.mkdirAll(w.out); err != nil {
			return err
		}
		staging, err := w.fs.MkdirTemp(w.out, ".tscale-staging-")
		if err != nil {
			return fmt.Errorf("create a staging folder in %s: %w", w.out, cause(err))
		}
		w.staging = staging
		for _, sub := range []string{"new", "old"} {
			if err := w.fs.Mkdir(filepath.Join(staging, sub), 0o755); err != nil {
				return fmt.Errorf("create %s: %w", filepath.Join(staging, sub), cause(err))
			}
		}
	}
	if err := w.mkdirAll(filepath.Dir(target)); err != nil {
		return err
	}
	for _, sub := range []string{"new", "old"} {
		if err := w.mkdirAll(filepath.Join(w.staging, sub, filepath.Dir(rel))); err != nil {
			return err
		}
	}
	// A full disk fails here, before any report is replaced.
	if err := w.fs.WriteFile(filepath.Join(w.staging, "new", rel), data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", target, cause(err))
	}
	w.staged = append(w.staged, rel)
	return nil
}

// holds reports whether the file at path holds exactly data.
func (w *writer) holds(path string, data []byte) bool {
	file, err := w.fs.Open(path)
	if err != nil {
		return false
	}
	defer file.Close()
	// Compared a chunk at a time through one pooled buffer: no copy of the
	// file is kept.
	buf := holdBuffers.Get().(*[]byte)
	defer holdBuffers.Put(buf)
	for {
		n, err := io.ReadFull(file, *buf)
		if n > len(data) || !bytes.Equal((*buf)[:n], data[:n]) {
			return false
		}
		data = data[n:]
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return len(data) == 0
		case err != nil:
			return false
		}
	}
}

// holdBuffers are the read buffers of writer.holds.
var holdBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// commit moves every staged file into place, in the order staged, and
// removes the staging folder; where a move fails, it undoes them all. With
// nothing staged (every target already held its bytes) it does nothing.
func (w *writer) commit() error {
	if w.staging == "" {
		return nil
	}
	for _, rel := range w.staged {
		target := filepath.Join(w.out, rel)
		p := placed{target: target}
		if w.exists[target] {
			p.backup = filepath.Join(w.staging, "old", rel)
			if err := w.backup(target, p.backup); err != nil {
				return w.undo(fmt.Errorf("write %s: keep a copy of the old file: %w", target, cause(err)))
			}
		}
		w.placed = append(w.placed, p)
		if err := w.fs.Rename(filepath.Join(w.staging, "new", rel), target); err != nil {
			return w.undo(fmt.Errorf("write %s: %w", target, cause(err)))
		}
		w.placed[len(w.placed)-1].moved = true
	}
	if err := w.fs.RemoveAll(w.staging); err != nil {
		return fmt.Errorf("wrote the reports, but could not remove %s: %w", w.staging, cause(err))
	}
	return nil
}

// undo rolls back after err, which it returns with what became of out.
func (w *writer) undo(err error) error {
	if rbErr := w.rollback(); rbErr != nil {
		return fmt.Errorf("%w; and could not undo it: %v (the replaced files are kept in %s)", err, rbErr, w.staging)
	}
	return fmt.Errorf("%w; %s is left as it was", err, w.out)
}

// backup keeps the old file at target as backup: a hard link, or a copy
// where the file system has none. Either way target stays in place until
// the rename replaces it.
func (w *writer) backup(target, backup string) error {
	if err := w.fs.Link(target, backup); err == nil {
		return nil
	}
	f, err := w.fs.Open(target)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	return w.fs.WriteFile(backup, data, info.Mode().Perm())
}

// mkdirAll creates dir and its missing parents, remembering each it creates.
func (w *writer) mkdirAll(dir string) error {
	info, err := w.fs.Stat(dir)
	switch {
	case err == nil && info.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("write %s: it is a file, not a folder", dir)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("write %s: %w", dir, cause(err))
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := w.mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := w.fs.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, cause(err))
	}
	if w.staging == "" || !strings.HasPrefix(dir, w.staging) {
		w.created = append(w.created, dir)
	}
	return nil
}

// rollback undoes what stage and commit did: it restores every replaced
// file, removes every new one, the staging folder and the folders they
// created.
func (w *writer) rollback() error {
	var errs []error
	for i := len(w.placed) - 1; i >= 0; i-- {
		p := w.placed[i]
		switch {
		case p.moved && p.backup != "":
			if err := w.fs.Rename(p.backup, p.target); err != nil {
				errs = append(errs, fmt.Errorf("restore %s: %w", p.target, cause(err)))
			}
		case p.moved:
			if err := w.fs.Remove(p.target); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", p.target, cause(err)))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...) // keep the staging folder: it holds the old files
	}
	if w.staging != "" {
		if err := w.fs.RemoveAll(w.staging); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", w.staging, cause(err)))
		}
	}
	for i := len(w.created) - 1; i >= 0; i-- {
		if err := w.fs.Remove(w.created[i]); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", w.created[i], cause(err)))
		}
	}
	return errors.Join(errs...)
}
