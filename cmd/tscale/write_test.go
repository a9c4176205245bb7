package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// snapshot maps the slash path of every file, symbolic link and empty folder
// under dir to its bytes ("/" for a folder, "symlink to X" for a link); nil
// if dir does not exist.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			got[filepath.ToSlash(rel)+"/"] = "/"
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(path)
			got[filepath.ToSlash(rel)] = "symlink to " + link
			return err
		}
		data, err := os.ReadFile(path)
		got[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range got { // folders only where they hold nothing, to keep maps short
		if strings.HasSuffix(k, "/") {
			for other := range got {
				if other != k && strings.HasPrefix(other, k) {
					delete(got, k)
					break
				}
			}
		}
	}
	return got
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// faultFS fails the nth call of one operation ("write" for WriteFile,
// "rename", "link", "mkdir", "mkdirtemp") with err, counting from 1; nth -1
// fails every call. also fails every call of a second operation.
type faultFS struct {
	fileSystem
	op    string
	nth   int
	err   error
	also  string
	calls map[string]int
}

func (f *faultFS) fail(op string) error {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	if op == f.also || op == f.op && (f.calls[op] == f.nth || f.nth == -1) {
		return f.err
	}
	return nil
}

func (f *faultFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if err := f.fail("write"); err != nil {
		return &fs.PathError{Op: "write", Path: name, Err: err}
	}
	return f.fileSystem.WriteFile(name, data, perm)
}

func (f *faultFS) Rename(oldname, newname string) error {
	if err := f.fail("rename"); err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	return f.fileSystem.Rename(oldname, newname)
}

func (f *faultFS) Link(oldname, newname string) error {
	if err := f.fail("link"); err != nil {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: err}
	}
	return f.fileSystem.Link(oldname, newname)
}

func (f *faultFS) Mkdir(name string, perm fs.FileMode) error {
	if err := f.fail("mkdir"); err != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	return f.fileSystem.Mkdir(name, perm)
}

func (f *faultFS) MkdirTemp(dir, pattern string) (string, error) {
	if err := f.fail("mkdirtemp"); err != nil {
		return "", &fs.PathError{Op: "mkdirtemp", Path: dir, Err: err}
	}
	return f.fileSystem.MkdirTemp(dir, pattern)
}

// TestWriteAllOrNothing: tscale reports either replaces every report or
// leaves the output folder byte for byte as it was.
func TestWriteAllOrNothing(t *testing.T) {
	hf := hfFixture(t)
	good := filepath.Join(hf, "good") // two models: my-model and small, 4 files
	// populate makes an output folder holding old reports of both models,
	// and files of the user's own, and returns it.
	populate := func(t *testing.T) string {
		out := filepath.Join(t.TempDir(), "out")
		for name, data := range map[string]string{
			"yaml/small.yaml":    "old small yaml",
			"txt/small.txt":      "old small txt",
			"yaml/my-model.yaml": "old my-model yaml",
			"txt/my-model.txt":   "old my-model txt",
			"txt/other.txt":      "a file of the user's",
			"notes.md":           "notes",
		} {
			path := filepath.Join(out, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	half := func(t *testing.T) string { // only yaml/ exists, with one old report
		out := filepath.Join(t.TempDir(), "out")
		if err := os.MkdirAll(filepath.Join(out, "yaml"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "yaml", "small.yaml"), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		return out
	}
	absent := func(t *testing.T) string { return filepath.Join(t.TempDir(), "new", "out") } // creates new/ and new/out/
	txtIsFile := func(t *testing.T) string {
		out := populate(t)
		if err := os.RemoveAll(filepath.Join(out, "txt")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "txt"), []byte("a file named txt"), 0o644); err != nil {
			t.Fatal(err)
		}
		return out
	}
	readOnlyTxt := func(t *testing.T) string {
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only folders")
		}
		out := populate(t)
		txt := filepath.Join(out, "txt")
		if err := os.Chmod(txt, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(txt, 0o755) })
		return out
	}
	targetIsFolder := func(t *testing.T) string {
		out := populate(t)
		if err := os.Remove(filepath.Join(out, "txt", "small.txt")); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(out, "txt", "small.txt", "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		return out
	}
	danglingLink := func(t *testing.T) string {
		out := populate(t)
		small := filepath.Join(out, "txt", "small.txt")
		if err := os.Remove(small); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("nowhere", small); err != nil {
			t.Fatal(err)
		}
		return out
	}
	full := syscall.ENOSPC
	tests := []struct {
		name   string
		setup  func(t *testing.T) string
		fault  *faultFS // nil: the real file system
		stderr string   // substring; "" for success
	}{
		{name: "read-only txt", setup: readOnlyTxt, stderr: "txt/my-model.txt: permission denied"},
		{name: "txt is a file", setup: txtIsFile, stderr: "/out/txt: it is a file, not a folder; nothing was written"},
		{name: "a target is a folder", setup: targetIsFolder, stderr: "/out/txt/small.txt: it is a folder; nothing was written"},
		{name: "disk full at the first write", setup: populate, fault: &faultFS{op: "write", nth: 1, err: full},
			stderr: "/out/yaml/my-model.yaml: no space left on device; "},
		{name: "disk full at the third write", setup: populate, fault: &faultFS{op: "write", nth: 3, err: full},
			stderr: "/out/yaml/small.yaml: no space left on device; "},
		{name: "disk full at the last write", setup: populate, fault: &faultFS{op: "write", nth: 4, err: full}, stderr: "no space left on device"},
		{name: "disk full, folder absent", setup: absent, fault: &faultFS{op: "write", nth: 2, err: full}, stderr: "no space left on device"},
		{name: "disk full, half there", setup: half, fault: &faultFS{op: "write", nth: 4, err: full}, stderr: "no space left on device"},
		{name: "first rename fails", setup: populate, fault: &faultFS{op: "rename", nth: 1, err: syscall.EACCES},
			stderr: "permission denied"},
		{name: "middle rename fails", setup: populate, fault: &faultFS{op: "rename", nth: 2, err: syscall.EIO}, stderr: "input/output error"},
		{name: "last rename fails", setup: populate, fault: &faultFS{op: "rename", nth: 4, err: syscall.EIO}, stderr: "input/output error"},
		{name: "last rename fails, folder absent", setup: absent, fault: &faultFS{op: "rename", nth: 4, err: syscall.EIO}, stderr: "input/output error"},
		{name: "last rename fails, half there", setup: half, fault: &faultFS{op: "rename", nth: 4, err: syscall.EIO}, stderr: "input/output error"},
		{name: "no hard links: copies", setup: populate, fault: &faultFS{op: "link", nth: -1, err: syscall.EPERM}},
		{name: "no hard links, last rename fails", setup: populate, fault: &faultFS{op: "rename", nth: 4, also: "link", err: syscall.EIO},
			stderr: "input/output error"},
		{name: "staging folder cannot be made", setup: populate, fault: &faultFS{op: "mkdirtemp", nth: 1, err: syscall.EROFS},
			stderr: "create a staging folder in "},
		{name: "a folder cannot be made", setup: absent, fault: &faultFS{op: "mkdir", nth: 2, err: syscall.EDQUOT}, stderr: "disk quota exceeded"},
		{name: "dangling link, last rename fails", setup: danglingLink, fault: &faultFS{op: "rename", nth: 4, err: syscall.EIO},
			stderr: "input/output error"},
		{name: "success replaces old reports", setup: populate},
		{name: "success replaces a dangling link", setup: danglingLink},
		{name: "success into a new folder", setup: absent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.setup(t)
			root := filepath.Dir(out) // the test's temporary folder, or new/ in it
			if filepath.Base(root) == "new" {
				root = filepath.Dir(root)
			}
			before := snapshot(t, root)
			var fsys fileSystem = osFS{}
			if tt.fault != nil {
				tt.fault.fileSystem = osFS{}
				tt.fault.calls = nil
				fsys = tt.fault
			}
			var stdout, stderr bytes.Buffer
			code := runWith(fsys, []string{"reports", "-hf", good, "-out", out}, nil, &stdout, &stderr)
			after := snapshot(t, root)
			if tt.stderr == "" {
				if code != exitOK {
					t.Fatalf("exit %d: %s", code, stderr.String())
				}
				rel, _ := filepath.Rel(root, out)
				for _, name := range []string{"yaml/small.yaml", "txt/small.txt", "yaml/my-model.yaml", "txt/my-model.txt"} {
					rel := filepath.ToSlash(rel) + "/" + name
					if after[rel] == "" || strings.HasPrefix(after[rel], "old") {
						t.Errorf("%s not replaced: %q", rel, after[rel])
					}
					delete(after, rel)
					delete(before, rel)
				}
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("files other than the reports changed (-before +after):\n%s", diff)
				}
				return
			}
			if code != exitFailure || stdout.Len() > 0 {
				t.Errorf("exit %d, stdout %q; want exit 1 and nothing on stdout", code, stdout.String())
			}
			if strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q, want one line containing %q", stderr.String(), tt.stderr)
			}
			if !strings.Contains(stderr.String(), out) {
				t.Errorf("stderr %q does not name a path in %s", stderr.String(), out)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("a failed run changed the output folder (-before +after):\n%s", diff)
			}
		})
	}
}

// TestWriteAllUndoFails: when undoing fails too, the error says so and
// where the old files are kept.
func TestWriteAllUndoFails(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(filepath.Join(out, "txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "txt", "a.txt"), []byte("old a"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Renames: 1 moves a.txt into place, 2 (b.txt) fails, 3 (restoring a.txt) fails.
	fsys := &undoFailFS{fileSystem: osFS{}}
	err := writeAll(fsys, out, []outFile{{"txt/a.txt", []byte("new a")}, {"txt/b.txt", []byte("new b")}})
	if err == nil || !strings.Contains(err.Error(), "could not undo it: restore "+filepath.Join(out, "txt", "a.txt")) ||
		!strings.Contains(err.Error(), "the replaced files are kept in "+filepath.Join(out, ".tscale-staging-")) {
		t.Errorf("error %v", err)
	}
}

type undoFailFS struct {
	fileSystem
	renames int
}

func (f *undoFailFS) Rename(oldname, newname string) error {
	if f.renames++; f.renames >= 2 {
		return errors.New("refused")
	}
	return f.fileSystem.Rename(oldname, newname)
}

// TestReportsLeavesUnchangedFilesAlone: a report that already holds its
// bytes is not written again (same inode, same modification time); one
// that differs is replaced.
func TestReportsLeavesUnchangedFilesAlone(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"reports", "-out", out}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	gpt2, llama := filepath.Join(out, "txt", "gpt2.txt"), filepath.Join(out, "yaml", "llama-2-7b.yaml")
	if err := os.WriteFile(llama, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(gpt2)
	if err != nil {
		t.Fatal(err)
	}
	staleInfo, err := os.Stat(llama)
	if err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"reports", "-out", out}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	after, err := os.Stat(gpt2)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || !before.ModTime().Equal(after.ModTime()) {
		t.Errorf("an unchanged report was written again")
	}
	fresh, err := os.Stat(llama)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(staleInfo, fresh) || fresh.Size() < 1000 {
		t.Errorf("a stale report was not replaced")
	}
}

// TestHoldsComparesWholeFiles: writer.holds is true exactly when the file
// on disk has the same bytes, at sizes around its read buffer's.
func TestHoldsComparesWholeFiles(t *testing.T) {
	dir := t.TempDir()
	w := &writer{fs: osFS{}}
	for _, size := range []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 3 * 64 << 10} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i * 7)
		}
		path := filepath.Join(dir, "f")
		for _, tc := range []struct {
			name string
			disk []byte
			want bool
		}{
			{"same", data, true},
			{"longer", append(slices.Clone(data), 'x'), false},
			{"shorter", data[:max(size-1, 0)], size == 0},
			{"one byte differs", func() []byte {
				d := slices.Clone(data)
				if len(d) > 0 {
					d[len(d)-1]++
				}
				return d
			}(), size == 0},
		} {
			if err := os.WriteFile(path, tc.disk, 0o644); err != nil {
				t.Fatal(err)
			}
			if got := w.holds(path, data); got != tc.want {
				t.Errorf("size %d, %s: holds %v, want %v", size, tc.name, got, tc.want)
			}
		}
	}
	if w.holds(filepath.Join(dir, "missing"), nil) {
		t.Error("a missing file holds the data")
	}
}
