package postgres

import (
	"fmt"
	"strconv"
	"strings"
)

// LSN is a WAL position (PostgreSQL's pg_lsn): bytes since the start of WAL, so positions compare and
// subtract as numbers. The zero LSN means "unknown" in the status structures (PostgreSQL reports NULL).
type LSN uint64

// ParseLSN reads PostgreSQL's text form of a pg_lsn, two hexadecimal numbers of at most 32 bits: "16/B374D848".
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("postgres: LSN %q: no slash", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("postgres: LSN %q: %w", s, err)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("postgres: LSN %q: %w", s, err)
	}
	return LSN(h<<32 | l), nil
}

// String is PostgreSQL's text form, which a query can cast back with ::pg_lsn.
func (l LSN) String() string {
	return fmt.Sprintf("%X/%X", uint64(l)>>32, uint64(l)&0xFFFFFFFF)
}

// parseNullLSN reads a pg_lsn cast to text that may be NULL (the zero LSN then).
func parseNullLSN(s *string) (LSN, error) {
	if s == nil {
		return 0, nil
	}
	return ParseLSN(*s)
}
