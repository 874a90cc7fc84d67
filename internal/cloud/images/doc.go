// Package images builds the PostgreSQL images the simulated cloud runs, flexpg/postgres:<major>, on the
// user's machine. No image registry can be assumed, so an image is made from Debian packages: debootstrap
// lays down a minimal root filesystem from the Debian mirror the machine's apt already uses, PostgreSQL
// and pgbouncer are installed into it in a chroot, and the tree is imported into Docker as a single layer.
//
// An image carries the label io.flexpg.recipe, a short hash of everything that decides its content
// (suite, packages, entrypoint script). Ensure reuses an image whose label matches and builds otherwise, so
// changing the recipe in code rebuilds images automatically and nothing else ever does.
//
// The entrypoint baked into the image is part of the contract with the cloud; see entrypoint.go.
package images
