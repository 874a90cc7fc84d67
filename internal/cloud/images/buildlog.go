package images

import (
	"bytes"
	"io"
	"os"
	"strings"
)

// logTailBytes is how much of the build log an error carries: enough for apt's or dpkg's complaint.
const logTailBytes = 3000

// tailOf returns the last part of the log file, starting at a line boundary.
func tailOf(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := max(st.Size()-logTailBytes, 0)
	buf, err := io.ReadAll(io.NewSectionReader(f, off, st.Size()-off))
	if err != nil {
		return ""
	}
	if off > 0 {
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			buf = buf[i+1:]
		}
	}
	return strings.TrimSpace(string(buf))
}
