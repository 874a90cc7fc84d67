package spec

// This file holds small additions the Terraform provider needs that the rest of the package did not export.

// CompareVersions orders two PostgreSQL major versions numerically (-1, 0, 1). The provider uses it to plan a
// downgrade as a replacement while an upgrade stays an in-place change.
func CompareVersions(a, b string) int { return compareVersions(a, b) }
