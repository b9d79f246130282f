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
// Where the real behaviour is unconfirmed, this server is the spec:
//   - a wrong key id, wrong secret or revoked key all fail apiKeyUser with
//     "unauthorized" (rather than a null user);
//   - unknown ids fail with the error message "not found", like runStack;
//   - state conflicts fail with the engine's prose and extensions.code
//     "CONFLICT" (other codes: UNAUTHORIZED, NOT_FOUND, BAD_REQUEST);
//   - stack.runs lists every run of the stack, proposed ones included (the
//     real API may list proposed runs only under proposedRuns), newest first
//     and paged with before: <last run id>;
//   - logs(state, token, stateVersion) pages 50 lines of one state's log; the
//     token is a line offset; finished is true once the run has left the
//     state (or is terminal or waiting for a person) and every line has been
//     returned; an unknown state answers an
//     empty page with exists false;
//   - runCancel refuses a run that has started and runStop one that has
//     not (both with CONFLICT), as the real API separates them;
//   - searchStacks, searchModules and searchModuleVersions page 50 by
//     default, at most 100, with opaque cursors, and ignore orderBy;
//     searchStacks honours fullTextSearch and the predicates name, branch,
//     repository, projectRoot, commit, label, space, state, administrative
//     and locked (others are refused);
//   - changesV3 returns one group of resources with metadata.type ADD,
//     CHANGE, DELETE or REPLACE;
//   - Commit objects carry only the hash the engine knows;
//   - two sandbox extensions carry drift the real API cannot: runTrigger's
//     driftDetection: true starts a PROPOSED run flagged as drift detection
//     (Spacelift only schedules those), and Entity.driftedAttributes names
//     the attributes that drifted;
//   - GET <base>/stack/<id> and <base>/stack/<id>/run/<id> answer a plain
//     HTML page, standing in for the web UI the links point at.
//
// Wiring (cmd/stackview): New(engine, Options{}), Start("127.0.0.1:0"), then
// ShellExports for `stackview sandbox serve`, or the key (APIKeyID,
// APIKeySecret) and base URL for the spacelift client. RevokeKey, MintToken
// and Options.Clock/TokenTTL let tests expire and revoke credentials.
//
// Not offered, because the engine has no such operation: runReview,
// runPromote, stackSyncCommit.
package spaceliftapi
