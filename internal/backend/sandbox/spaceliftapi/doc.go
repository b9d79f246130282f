// Package spaceliftapi serves the sandbox engine over a Spacelift-dialect
// GraphQL API (POST /graphql), so the real Spacelift client, spacectl or curl
// can be pointed at the embedded demo organisation.
//
// The schema (schema.graphql) is written schema-first with Spacelift's type,
// field, argument and enum names, and graphql-go validates variables
// strictly: a client sending String! where ID! is expected gets the real
// GraphQL validation error.
//
// Authentication follows the real API: apiKeyUser(id, secret) returns an
// HS256 JWT whose aud is a one-element array holding the server's base URL.
// Without a valid token, list queries (stacks, searchStacks, modules) answer
// empty and viewer is null, while single-entity queries and mutations fail
// with "unauthorized".
//
// What it reproduces of the real API, the public evidence for each
// behaviour and the test that pins it, what it assumes where no public
// source says (always the less forgiving reading), and its two extensions
// (runTrigger's driftDetection, Entity.driftedAttributes) are listed in one
// place: docs/FIDELITY.md, the Spacelift section.
//
// Wiring (cmd/stackview): New(engine, Options{}), Start("127.0.0.1:0"), then
// ShellExports for `stackview sandbox serve`, or the key (APIKeyID,
// APIKeySecret) and base URL for the spacelift client. RevokeKey, MintToken
// and Options.Clock/TokenTTL let tests expire and revoke credentials.
package spaceliftapi
