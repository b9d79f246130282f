// Package sandbox is stackview's embedded demo organisation: an in-process
// engine that implements backend.Backend over real local git repositories.
//
// # Time
//
// Runs follow Spacelift's state sequences, driven lazily by a Clock: every
// call first applies the transitions that became due, so no goroutine runs
// in the background and tests step a ManualClock. A plan takes about ten
// seconds (QUEUED 1 s, PREPARING 2 s, INITIALIZING 3 s, PLANNING 4 s), an
// apply eight more, a task three seconds of its command. Tracked runs and
// tasks of one stack run one at a time: one triggered while another is in
// progress or waiting for confirmation stays QUEUED behind it, as in
// Spacelift; plans and drift checks run at once. A run can be stopped while
// it initializes or plans, not while it applies.
//
// # Approvals and locks
//
// Prod stacks (not the administrative one) carry an approval policy: a
// tracked run reaching UNCONFIRMED needs an approval before it can be
// confirmed, a task one before it is scheduled; a rejection fails the run.
// A locked stack starts no run its holder did not start (no push or
// dependency runs) and does not autodeploy.
//
// # The organisation
//
// Under Dir: repos/environment.git (project root network), one repository
// per business domain (payments with stacks/api and stacks/ledger; identity,
// analytics and storefront with terraform), admin.git (stacks), and
// repos/modules/terraform-aws-<name>.git whose vX.Y.Z tags are the
// registry's versions. Project repositories have dev, qa and main branches,
// dev ahead of qa ahead of main for some domains. Stacks are <env>-<suffix>
// for env dev (branch dev, autodeploy), qa (qa) and prod (main), plus the
// administrative stack "admin". Every business-unit stack depends on its
// environment's network stack.
//
// The seeded past (six days, replayed at New) leaves: qa-payments-ledger
// UNCONFIRMED, prod-storefront UNCONFIRMED and waiting for an approval, a
// prod-analytics task QUEUED for an approval, dev-analytics FAILED (a module
// version that is not published), a prod-identity plan PENDING_REVIEW (it
// destroys a resource in prod), prod-network and qa-storefront drifted,
// prod-payments-api locked by maria.chen, and stacks behind their branch
// head (e.g. qa-payments-api). Each stack manages tens to a few hundred
// resources (its entities, drawn per stack from the seed).
// With Options.Stacks > 0 a simpler organisation of about that many stacks
// is generated instead, for benchmarks.
//
// # Drift
//
// Resources change behind Terraform's back: in the seeded past (prod-network,
// qa-storefront) and, once running, on prod-identity (2 h in) and
// qa-payments-api (3 h in, only a tag the ignore files call noise).
// Scheduled drift detection checks every qa and prod stack every six hours
// with a proposed run flagged as a drift check; Trigger(RunDriftCheck)
// checks at once. Stack.Drift carries the drifted attributes and the check's
// run id; a deploy that applies puts the resources back. Every project
// repository has a .stackview/drift-ignore.toml.
//
// # Plans from git
//
// A run plans the stack's project root at the run's commit against the
// commit last applied: resource blocks added, removed or changed, and module
// blocks resolved through the registry's tags and expanded into the
// resources their code changes. Drifted resources show up as updates. An
// unknown module version or invalid HCL fails the run while initializing.
//
// # Pushes
//
// The engine watches its repositories' refs (at most once per clock second,
// or on Sync): a moved branch starts deploys on the stacks that track it and
// whose project root changed; the others only learn their BranchHead and
// CommitsBehind. A finished deploy starts deploys downstream as each
// dependency says: business-unit stacks reference two of their network
// stack's outputs (qa, prod) and run when one changed, or trigger always
// (dev); a failed deploy records SKIPPED runs there instead.
//
// A Dir that holds a sandbox (sandbox.json) is resumed: the repositories are
// reused, the seeded past is replayed from the stored seed, and pushes made
// since are picked up as new pushes. Runs started in an earlier process are
// not kept.
package sandbox
