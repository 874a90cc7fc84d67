package images

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// pseudoDirs are kept as empty directories: the container engine mounts its own proc, sys and dev.
var pseudoDirs = map[string]bool{"proc": true, "sys": true, "dev": true}

// writeRootTar writes the tree under root as a tar stream with numeric ownership, full modes (setuid and
// friends included), symlinks, hard links and file capabilities, which is what the engine needs to
// reproduce the file system exactly.
func writeRootTar(root string, w io.Writer) error {
	tw := tar.NewWriter(w)
	links := map[[2]uint64]string{} // (device, inode) -> first name, for hard links
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil || rel == "." {
			return err
		}
		if top, _, _ := strings.Cut(rel, "/"); pseudoDirs[top] && rel != top {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		return writeEntry(tw, path, rel, links)
	})
	if err != nil {
		return fmt.Errorf("images: tar root file system: %w", err)
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, path, rel string, links map[[2]uint64]string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&(fs.ModeSocket|fs.ModeDevice|fs.ModeCharDevice) != 0 {
		return nil // sockets and device nodes do not belong in an image
	}
	target := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if target, err = os.Readlink(path); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, target)
	if err != nil {
		return err
	}
	st := fi.Sys().(*syscall.Stat_t)
	hdr.Name = rel
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
	hdr.Uname, hdr.Gname = "", "" // names would be the host's, not the image's
	hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
	hdr.Format = tar.FormatPAX
	if caps := fileCapability(fi, path); caps != "" {
		hdr.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": caps}
	}
	if fi.Mode().IsRegular() && st.Nlink > 1 {
		key := [2]uint64{uint64(st.Dev), st.Ino}
		if first, ok := links[key]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			return tw.WriteHeader(hdr)
		}
		links[key] = rel
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}

// fileCapability returns the raw security.capability attribute of path, if any (for example ping's
// cap_net_raw), so it survives the import.
// Only regular files can carry one; asking a symlink would read its target's.
func fileCapability(fi fs.FileInfo, path string) string {
	if !fi.Mode().IsRegular() {
		return ""
	}
	buf := make([]byte, 256)
	n, err := syscall.Getxattr(path, "security.capability", buf)
	if err != nil || n <= 0 {
		return ""
	}
	return string(buf[:n])
}
