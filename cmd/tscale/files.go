package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tscale/tscale/presets"
)

// fileSystem is every file operation tscale does. run uses the real one,
// osFS; tests inject failures through it, and the fuzz target confines its
// writes to a temporary folder.
type fileSystem interface {
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Open(name string) (fs.File, error)
	Mkdir(name string, perm fs.FileMode) error
	MkdirTemp(dir, pattern string) (string, error)
	WriteFile(name string, data []byte, perm fs.FileMode) error
	Link(oldname, newname string) error
	Rename(oldname, newname string) error
	Remove(name string) error
	RemoveAll(name string) error
}

// osFS is the operating system's file system.
type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error)                { return os.Stat(name) }
func (osFS) Lstat(name string) (fs.FileInfo, error)               { return os.Lstat(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)           { return os.ReadDir(name) }
func (osFS) Open(name string) (fs.File, error)                    { return os.Open(name) }
func (osFS) Mkdir(name string, perm fs.FileMode) error            { return os.Mkdir(name, perm) }
func (osFS) MkdirTemp(dir, pattern string) (string, error)        { return os.MkdirTemp(dir, pattern) }
func (osFS) Link(oldname, newname string) error                   { return os.Link(oldname, newname) }
func (osFS) Rename(oldname, newname string) error                 { return os.Rename(oldname, newname) }
func (osFS) Remove(name string) error                             { return os.Remove(name) }
func (osFS) RemoveAll(name string) error                          { return os.RemoveAll(name) }
func (osFS) WriteFile(name string, b []byte, p fs.FileMode) error { return os.WriteFile(name, b, p) }

// errTooLarge is a config file past presets.MaxConfigBytes.
var errTooLarge = fmt.Errorf("is larger than %d MiB, the most tscale reads from a config file", presets.MaxConfigBytes>>20)

// readConfigFile reads the config file at path: a regular file of at most
// presets.MaxConfigBytes. It never reads more than that, so a device
// (/dev/zero) or a huge file is refused promptly.
func readConfigFile(fsys fileSystem, path string) ([]byte, error) {
	info, err := fsys.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: no such file", path)
	case err != nil:
		return nil, err
	case info.IsDir():
		return nil, fmt.Errorf("%s is a folder; pass its config.json", path)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file (a config file must be a file of at most %d MiB)", path, presets.MaxConfigBytes>>20)
	case info.Size() > presets.MaxConfigBytes:
		return nil, fmt.Errorf("%s %w", path, errTooLarge)
	}
	f, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readBounded(f, path)
}

// readBounded reads a config from r, named name in errors: at most
// presets.MaxConfigBytes, and never more than one byte past them. It is the
// bound of every config tscale reads, from a file or from stdin.
func readBounded(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, presets.MaxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, cause(err))
	}
	if len(data) > presets.MaxConfigBytes {
		return nil, fmt.Errorf("%s %w", name, errTooLarge)
	}
	return data, nil
}

// stdinPath is the -hf argument that means standard input.
const stdinPath = "-"

// readHFConfig reads one Hugging Face config.json as a preset: the file at
// path, or stdin when path is "-". A config from stdin is named "stdin" in
// errors and in its preset (slug stdin, name "stdin (MODEL_TYPE)"), as a
// file is named by its path.
func readHFConfig(fsys fileSystem, stdin io.Reader, path string) (presets.Preset, error) {
	var data []byte
	var err error
	if path == stdinPath {
		path = "stdin"
		data, err = readBounded(stdin, path)
	} else if info, statErr := fsys.Stat(path); statErr == nil && info.IsDir() {
		return readModelFolder(fsys, path)
	} else {
		data, err = readConfigFile(fsys, path)
	}
	if err != nil {
		return presets.Preset{}, err
	}
	return presets.FromHFConfig(path, data)
}

// hfConfigPaths lists the config files of a folder: DIR/*.json and
// DIR/*/config.json, in name order, or DIR/config.json alone when DIR is a
// model folder itself. dir is a literal name, not a pattern.
func hfConfigPaths(fsys fileSystem, dir string) ([]string, error) {
	info, err := fsys.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("-hf %s: no such folder", dir)
	case err != nil:
		return nil, fmt.Errorf("-hf %s: %w", dir, cause(err))
	case !info.IsDir():
		return nil, fmt.Errorf("-hf %s is a file, not a folder (tscale report -hf reads one config file)", dir)
	}
	if _, err := fsys.Stat(filepath.Join(dir, modelConfig)); err == nil { // dir is one model folder
		return []string{filepath.Join(dir, modelConfig)}, nil
	}
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("-hf %s: %w", dir, cause(err))
	}
	var paths []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			if info, err := fsys.Stat(path); err == nil {
				isDir = info.IsDir()
			}
		}
		if isDir {
			config := filepath.Join(path, "config.json")
			if _, err := fsys.Stat(config); !errors.Is(err, fs.ErrNotExist) {
				paths = append(paths, config)
			}
		} else if strings.HasSuffix(e.Name(), ".json") {
			paths = append(paths, path)
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("-hf %s: the folder holds no *.json or */config.json files", dir)
	}
	sort.Strings(paths)
	return paths, nil
}

// readHFDir reads the config files of folder dir as presets. bad holds one
// error per file that cannot be read or imported, naming the file; two files
// may not give the same slug.
func readHFDir(fsys fileSystem, dir string) (good []presets.Preset, bad []error, err error) {
	paths, err := hfConfigPaths(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	bySlug := map[string]string{}
	for _, path := range paths {
		var p presets.Preset
		if filepath.Base(path) == modelConfig { // a model folder: its checkpoint too
			p, err = readModelFolder(fsys, filepath.Dir(path))
		} else {
			p, err = readHFConfig(fsys, nil, path) // path is inside dir: never "-"
		}
		if err != nil {
			bad = append(bad, err)
			continue
		}
		if other, dup := bySlug[p.Slug]; dup {
			bad = append(bad, fmt.Errorf("%s: would be reported as %q, like %s", path, p.Slug, other))
			continue
		}
		bySlug[p.Slug] = path
		good = append(good, p)
	}
	return good, bad, nil
}

// cause drops the operation and paths of an *fs.PathError or *os.LinkError,
// for messages that name the path themselves.
func cause(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}
