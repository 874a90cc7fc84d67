package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"

	"github.com/flexpg/terraform-provider-flexpg/internal/cloud/runtime"
)

// Modes used when a File or a directory it needs has no mode of its own.
const (
	defaultFileMode = 0o644
	newDirMode      = 0o755
)

// dirEntry is a directory the archive must create, owned like the first file that needs it.
type dirEntry struct {
	path     string
	uid, gid int
}

// CopyFiles writes files into a container, created or running, with their modes and owners. Directories
// that do not exist yet are created (0755, owned like the file); existing directories are left untouched,
// because an archive entry for them would reset their mode and owner (PostgreSQL refuses a data directory
// that is not 0700).
func (r *Runtime) CopyFiles(ctx context.Context, name string, files []runtime.File) error {
	if len(files) == 0 {
		return nil
	}
	if err := validateFiles(files); err != nil {
		return err
	}
	// Inspect first: a stat on a missing container and on a missing path both answer "not found".
	info, err := r.InspectContainer(ctx, name)
	if err != nil {
		return err
	}
	dirs, err := r.missingDirs(ctx, info.ID, files)
	if err != nil {
		return err
	}
	archive, err := buildArchive(files, dirs, time.Now())
	if err != nil {
		return err
	}
	// CopyUIDGID stays false: true would re-own every entry to the container's user, ignoring ours.
	err = r.cli.CopyToContainer(ctx, info.ID, "/", bytes.NewReader(archive), container.CopyToContainerOptions{})
	return classify(err, "copy %d files into container %q", len(files), name)
}

func validateFiles(files []runtime.File) error {
	for _, f := range files {
		if !path.IsAbs(f.Path) || path.Clean(f.Path) == "/" {
			return fmt.Errorf("docker: copy file %q: path must be absolute and name a file", f.Path)
		}
	}
	return nil
}

// missingDirs finds, for every file, the ancestor directories that do not exist in the container yet.
func (r *Runtime) missingDirs(ctx context.Context, id string, files []runtime.File) ([]dirEntry, error) {
	exists := map[string]bool{"/": true}
	var missing []dirEntry
	for _, f := range files {
		for dir := path.Dir(path.Clean(f.Path)); ; dir = path.Dir(dir) {
			known, seen := exists[dir]
			if !seen {
				var err error
				if known, err = r.pathExists(ctx, id, dir); err != nil {
					return nil, err
				}
				exists[dir] = known
				if !known {
					missing = append(missing, dirEntry{path: dir, uid: f.UID, gid: f.GID})
				}
			}
			if known {
				break
			}
		}
	}
	return missing, nil
}

func (r *Runtime) pathExists(ctx context.Context, id, p string) (bool, error) {
	_, err := r.cli.ContainerStatPath(ctx, id, p)
	switch {
	case err == nil:
		return true, nil
	case cerrdefs.IsNotFound(err):
		return false, nil
	default:
		return false, classify(err, "stat %s in container %s", p, id)
	}
}

// buildArchive makes an in-memory tar of the directories (parents before children) and then the files,
// with names relative to "/" as CopyToContainer expects.
func buildArchive(files []runtime.File, dirs []dirEntry, mtime time.Time) ([]byte, error) {
	dirs = append([]dirEntry(nil), dirs...)
	sort.SliceStable(dirs, func(i, j int) bool { return strings.Count(dirs[i].path, "/") < strings.Count(dirs[j].path, "/") })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range dirs {
		hdr := &tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(d.path, "/") + "/",
			Mode: newDirMode, Uid: d.uid, Gid: d.gid, ModTime: mtime}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("docker: archive directory %s: %w", d.path, err)
		}
	}
	for _, f := range files {
		if err := writeFile(tw, f, mtime); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("docker: close archive: %w", err)
	}
	return buf.Bytes(), nil
}

func writeFile(tw *tar.Writer, f runtime.File, mtime time.Time) error {
	mode := f.Mode & 0o7777
	if mode == 0 {
		mode = defaultFileMode
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(path.Clean(f.Path), "/"),
		Mode: mode, Uid: f.UID, Gid: f.GID, Size: int64(len(f.Content)), ModTime: mtime}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("docker: archive file %s: %w", f.Path, err)
	}
	if _, err := tw.Write(f.Content); err != nil {
		return fmt.Errorf("docker: archive file %s: %w", f.Path, err)
	}
	return nil
}
