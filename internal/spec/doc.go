// Package spec is the simulated service's catalog and rules as data plus pure functions: regions and zones,
// SKUs, storage sizes and tiers, versions, the server-parameter catalog, reserved names, resource IDs, which
// fields are immutable, and the validators built on them.
//
// Both the Terraform provider (plan-time validators and documentation text) and the cloud's HTTP API
// (apply-time checks) call this package, so every rule is written exactly once. It must never import
// Terraform, Docker, pgx or net/http.
//
// Conventions:
//   - Validators return *FieldError (nil means valid) or FieldErrors. Field is the Terraform attribute path
//     with dots for nested blocks, Rule a short stable identifier, and Message a full sentence that starts
//     with the field path, names the rule and says how to fix the value.
//   - Enumerations are defined once as constants plus a list function (HAModes, Versions, StorageTiers, ...)
//     that feeds both validators and documentation, as in terraform-provider-tls.
//   - Enum constants other than Tier and ParameterType are untyped string constants on purpose: they are
//     compared with plain strings from Terraform values and JSON documents, and an untyped constant works in
//     both places without conversions.
package spec
