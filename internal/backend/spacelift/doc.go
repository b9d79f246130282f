// Package spacelift implements backend.Backend over the Spacelift GraphQL
// API with github.com/hasura/go-graphql-client.
//
// Credentials are found like spacectl finds them (SPACELIFT_API_TOKEN, then
// SPACELIFT_API_KEY_ENDPOINT/_ID/_SECRET, then the spacectl profile in
// ~/.spacelift/config.json or $SPACELIFT_CONFIG_DIR). API keys are exchanged
// for a JWT with apiKeyUser and renewed 30 s before validUntil, and once more
// when the server refuses a token early; a raw token cannot be renewed, so
// its expiry is reported as ErrUnauthorized with what to do.
//
// The API answers list queries with empty data, not an error, when the token
// is not accepted; list queries therefore also select viewer, and a null
// viewer is reported as an expired session rather than "no stacks".
//
// Every id is sent as graphql.ID: hasura declares Go strings as String, which
// a strictly validating server rejects where ID is expected. Variable types
// that are Spacelift input types or enums (SearchInput, RunType, RunState,
// RunReviewDecision) are Go types of the same name for the same reason;
// changesV3's input, whose type no public source names, is written as the
// literal {} spacectl sends.
//
// Queries are retried on HTTP 429 and 5xx with jittered exponential backoff
// that never outlasts the context deadline, and sent again after a dropped
// or garbled answer; mutations are sent once. Errors are mapped to
// backend.ErrUnauthorized, ErrForbidden (a resolver's "unauthorized" while
// viewer still answers), ErrNotFound, ErrConflict (a mutation refused by a
// resolver) and *backend.RateLimitError, built from server messages only,
// on one line: tokens and key secrets never appear in them.
//
// A stack's runs come from three lists: runs (tracked), proposedRuns
// (plans, drift checks) and tasks. The listing reads the first page of
// each for the latest run and the latest tracked run; ListRuns merges them
// newest first. Managed entities are read only for drifted stacks. What
// the client relies on, and why, is in docs/FIDELITY.md.
package spacelift
