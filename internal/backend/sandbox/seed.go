package sandbox

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// seedOrg is the default organisation before it touches disk: repository
// histories, stacks, and the timeline of pushes and actions that leaves it
// in an interesting state (drift, a failure, runs waiting for people).
type seedOrg struct {
	repos  []*seedRepo
	stacks []seedStack
	events []seedEvent
	// leave names the runs ("stack@commit index") the seed's reviewer leaves
	// UNCONFIRMED; it confirms every other waiting deploy after a few minutes.
	leave map[string]int
}

type seedStack struct {
	model.Stack
	repo string
	deps []Dependency
}

// seedEvent is something that happens at a point of the seeded past.
type seedEvent struct {
	at time.Time
	do func(sd *seeding) error
}

type envDef struct{ name, branch string }

var seedEnvs = []envDef{{"dev", "dev"}, {"qa", "qa"}, {"prod", "main"}}

// project is one repository of Terraform stacks and the changes made to it.
type project struct {
	repo  string
	unit  string // business unit; "" for the environment repository
	roots []projectRoot
	// history mutates the builder for commit k ≥ 1: message, author index,
	// the branches the commit reaches (dev, then qa, then main), the mutation.
	history []projectChange
	// feature is an open pull request branched from main whose prod preview
	// is planned near the end of the seeded past.
	feature *featureBranch
}

type featureBranch struct {
	branch, stack string
	change        projectChange
}

type projectRoot struct {
	dir, suffix, description string
	unit                     string // overrides the project's unit (scale mode)
	config                   tfConfig
}

type projectChange struct {
	msg     string
	author  int
	reaches []string
	mutate  func(roots map[string]*tfConfig)
}

// pushDelay is how long after a commit it reaches each branch: promotion
// from dev to qa takes a day, to prod two.
var pushDelay = map[string]time.Duration{"dev": 10 * time.Minute, "qa": 24 * time.Hour, "main": 48 * time.Hour}

func res(typ, name string, attrs ...string) tfResource {
	r := tfResource{Type: typ, Name: name}
	for i := 0; i+1 < len(attrs); i += 2 {
		r.Attrs = append(r.Attrs, attr{attrs[i], attrs[i+1]})
	}
	return r
}

func mod(name, module, version string, inputs ...string) tfModuleCall {
	m := tfModuleCall{Name: name, Module: module, Version: version}
	for i := 0; i+1 < len(inputs); i += 2 {
		m.Inputs = append(m.Inputs, attr{inputs[i], inputs[i+1]})
	}
	return m
}

func projects(rng *rand.Rand) []project {
	octet := 16 + rng.IntN(200)
	return []project{
		{repo: "environment", roots: []projectRoot{{"network", "network", "Shared networking: VPC, DNS, transit", "", tfConfig{
			Modules: []tfModuleCall{mod("vpc", "vpc", "1.2.0", "name", `"${var.environment}-core"`, "cidr_block", fmt.Sprintf(`"10.%d.0.0/16"`, octet))},
			Resources: []tfResource{
				res("aws_route53_zone", "internal", "name", `"${var.environment}.internal.acme.example"`),
				res("aws_security_group", "shared", "name", `"shared-services"`, "vpc_id", "module.vpc.vpc_id"),
				res("aws_ec2_transit_gateway", "hub", "description", `"${var.environment} hub"`),
			}}}},
			history: []projectChange{
				{"Add a private DNS record for the service mesh", 0, []string{"dev", "qa", "main"}, func(r map[string]*tfConfig) {
					r["network"].Resources = append(r["network"].Resources, res("aws_route53_record", "mesh", "zone_id", "aws_route53_zone.internal.zone_id", "name", `"mesh"`, "type", `"CNAME"`))
				}},
				{"Bump vpc module to 1.3.0", 1, []string{"dev", "qa"}, func(r map[string]*tfConfig) { r["network"].Modules[0].Version = "1.3.0" }},
				{"Add an S3 gateway endpoint", 2, []string{"dev"}, func(r map[string]*tfConfig) {
					r["network"].Resources = append(r["network"].Resources, res("aws_vpc_endpoint", "s3", "vpc_id", "module.vpc.vpc_id", "service_name", `"com.amazonaws.eu-west-1.s3"`))
				}},
			}},
		{repo: "payments", unit: "payments", roots: []projectRoot{
			{"stacks/api", "payments-api", "Payments API on ECS", "", tfConfig{
				Modules: []tfModuleCall{mod("service", "ecs-service", "2.0.0", "name", `"payments-api"`, "cpu", "512")},
				Resources: []tfResource{
					res("aws_lb", "api", "name", `"payments-api"`, "internal", "true"),
					res("aws_lb_target_group", "api", "port", "8080", "protocol", `"HTTP"`),
					res("aws_route53_record", "api", "name", `"payments"`, "type", `"A"`),
				}}},
			{"stacks/ledger", "payments-ledger", "Payments ledger database and queues", "", tfConfig{
				Modules: []tfModuleCall{mod("db", "rds", "3.1.0", "name", `"ledger"`, "instance_class", `"db.r6g.large"`)},
				Resources: []tfResource{
					res("aws_sqs_queue", "ledger_events", "name", `"ledger-events"`, "visibility_timeout_seconds", "30"),
					res("aws_kms_key", "ledger", "description", `"ledger encryption"`, "enable_key_rotation", "true"),
				}}}},
			history: []projectChange{
				{"Alarm on API 5xx rate", 3, []string{"dev", "qa", "main"}, func(r map[string]*tfConfig) {
					r["stacks/api"].Resources = append(r["stacks/api"].Resources, res("aws_cloudwatch_metric_alarm", "api_5xx", "alarm_name", `"payments-api-5xx"`, "threshold", "5"))
				}},
				{"Raise ledger queue visibility timeout", 0, []string{"dev", "qa"}, func(r map[string]*tfConfig) {
					r["stacks/ledger"].Resources[0].Attrs[1].Expr = "60"
				}},
				{"Bump ecs-service module to 2.1.0", 1, []string{"dev"}, func(r map[string]*tfConfig) { r["stacks/api"].Modules[0].Version = "2.1.0" }},
			}},
		{repo: "identity", unit: "identity", roots: []projectRoot{{"terraform", "identity", "Cognito user pools and roles", "", tfConfig{
			Modules: []tfModuleCall{mod("roles", "iam-role", "1.0.1", "name", `"identity-service"`)},
			Resources: []tfResource{
				res("aws_cognito_user_pool", "main", "name", `"acme-users"`, "mfa_configuration", `"OPTIONAL"`),
				res("aws_cognito_user_pool_client", "web", "name", `"web"`, "user_pool_id", "aws_cognito_user_pool.main.id"),
				res("aws_cognito_identity_provider", "legacy_saml", "provider_name", `"LegacySAML"`, "provider_type", `"SAML"`),
			}}}},
			history: []projectChange{
				{"Require MFA for all users", 2, []string{"dev", "qa", "main"}, func(r map[string]*tfConfig) {
					r["terraform"].Resources[0].Attrs[1].Expr = `"ON"`
				}},
			},
			// Dropping the legacy provider destroys a resource: the approval
			// policy holds its prod preview for review.
			feature: &featureBranch{"feature/drop-legacy-idp", "prod-identity", projectChange{
				"Drop the legacy SAML identity provider", 1, nil, func(r map[string]*tfConfig) {
					r["terraform"].Resources = r["terraform"].Resources[:2]
				}}}},
		{repo: "analytics", unit: "analytics", roots: []projectRoot{{"terraform", "analytics", "Data lake and Athena", "", tfConfig{
			Modules: []tfModuleCall{mod("lake", "s3-bucket", "1.1.0", "name", `"acme-${var.environment}-lake"`)},
			Resources: []tfResource{
				res("aws_glue_catalog_database", "events", "name", `"events"`),
				res("aws_athena_workgroup", "analysts", "name", `"analysts"`, "force_destroy", "false"),
			}}}},
			history: []projectChange{
				// 2.1.0 is not published: the dev deploy fails in init, as it would for real.
				{"Bump s3-bucket module to 2.1.0", 3, []string{"dev"}, func(r map[string]*tfConfig) { r["terraform"].Modules[0].Version = "2.1.0" }},
			}},
		{repo: "storefront", unit: "storefront", roots: []projectRoot{{"terraform", "storefront", "Storefront CDN and assets", "", tfConfig{
			Modules: []tfModuleCall{mod("web", "ecs-service", "1.4.0", "name", `"storefront"`, "cpu", "1024")},
			Resources: []tfResource{
				res("aws_cloudfront_distribution", "cdn", "enabled", "true", "default_ttl", "300"),
				res("aws_s3_bucket", "assets", "bucket", `"acme-${var.environment}-storefront-assets"`),
				res("aws_route53_record", "shop", "name", `"shop"`, "type", `"CNAME"`),
			}}}},
			history: []projectChange{
				{"Raise CDN default TTL", 1, []string{"dev", "qa", "main"}, func(r map[string]*tfConfig) {
					r["terraform"].Resources[0].Attrs[1].Expr = "3600"
				}},
			}},
	}
}

// buildSeed lays out the default organisation relative to base, a time
// before the clock's now, from the seed.
// With stacks > 0 it builds the scale organisation instead. It stops when
// ctx ends: a large organisation takes a while.
func buildSeed(ctx context.Context, org string, seed int64, stacks int, base time.Time) (*seedOrg, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	so := &seedOrg{leave: map[string]int{}}
	start := base.Add(-6 * 24 * time.Hour)
	for _, m := range registryModules {
		so.repos = append(so.repos, buildModuleRepo(m, org, start.Add(-30*24*time.Hour)))
	}
	ps := projects(rng)
	if stacks > 0 {
		var err error
		if ps, err = scaleProjects(ctx, rng, stacks); err != nil {
			return nil, err
		}
	}
	for pi, p := range ps {
		if err := so.addProject(ctx, org, pi, p, base); err != nil {
			return nil, err
		}
	}
	so.addAdmin(org, start)
	if stacks == 0 {
		so.addIncidents(base)
	} else {
		so.addScaleIncidents(base)
	}
	return so, nil
}

func (so *seedOrg) addProject(ctx context.Context, org string, pi int, p project, base time.Time) error {
	start := base.Add(-6 * 24 * time.Hour)
	b := newRepoBuilder(p.repo, org)
	b.extra["README.md"] = []byte(fmt.Sprintf("# %s\n\nTerraform for %s. Branches: dev, qa, main (prod).\n", p.repo, p.repo))
	b.extra[DriftIgnoreFile] = []byte(driftIgnoreSeed)
	for _, r := range p.roots {
		cfg := r.config
		b.roots[r.dir] = &cfg
	}
	b.commit("Initial "+p.repo+" stacks", authors[pi%len(authors)], start.Add(-3*time.Hour))
	for _, env := range seedEnvs {
		b.repo.heads[env.branch] = 0
		for _, r := range p.roots {
			so.stacks = append(so.stacks, newSeedStack(org, p, r, env))
		}
	}
	offset := time.Duration(pi) * 37 * time.Minute
	for k, ch := range p.history {
		if err := ctx.Err(); err != nil {
			return err
		}
		before := renderRoots(b, org)
		ch.mutate(b.roots)
		at := start.Add(time.Duration(k+1)*24*time.Hour + offset)
		idx := b.commit(ch.msg, authors[ch.author], at)
		after := renderRoots(b, org)
		for _, branch := range ch.reaches {
			b.repo.heads[branch] = idx
			pushAt := at.Add(pushDelay[branch])
			so.push(p.repo, branch, idx, pushAt)
			for _, r := range p.roots {
				if before[r.dir] != after[r.dir] { // the pull request's preview run, before it merges
					so.plan(envOfBranch(branch)+"-"+r.suffix, p.repo, idx, pushAt.Add(-40*time.Minute), login(authors[ch.author]))
				}
			}
		}
	}
	if f := p.feature; f != nil { // branched from main, which is the latest commit
		f.change.mutate(b.roots)
		at := base.Add(-150 * time.Minute)
		idx := b.commit(f.change.msg, authors[f.change.author], at)
		b.repo.heads[f.branch] = idx
		so.plan(f.stack, p.repo, idx, at.Add(30*time.Minute), login(authors[f.change.author]))
	}
	so.repos = append(so.repos, b.repo)
	return nil
}

func envOfBranch(branch string) string {
	for _, e := range seedEnvs {
		if e.branch == branch {
			return e.name
		}
	}
	return branch
}

func renderRoots(b *repoBuilder, org string) map[string]string {
	out := map[string]string{}
	for dir, cfg := range b.roots {
		out[dir] = string(cfg.render(org))
	}
	return out
}

func newSeedStack(org string, p project, r projectRoot, env envDef) seedStack {
	s := seedStack{repo: p.repo, Stack: model.Stack{
		ID: env.name + "-" + r.suffix, Name: env.name + "-" + r.suffix, Space: env.name,
		Description: fmt.Sprintf("%s (%s)", r.description, env.name),
		Branch:      env.branch, ProjectRoot: r.dir, Autodeploy: env.name == "dev", CanWrite: true,
	}}
	if unit := cmp.Or(r.unit, p.unit); unit == "" {
		s.Labels = []string{"env:" + env.name, "layer:environment"}
	} else {
		s.Labels = []string{"bu:" + unit, "env:" + env.name}
		s.DependsOn = []string{env.name + "-network"}
		s.deps = []Dependency{seedDependency(env.name, env.name+"-network")}
	}
	return s
}

// addAdmin adds the administrative stack, whose code declares every other stack.
func (so *seedOrg) addAdmin(org string, start time.Time) {
	b := newRepoBuilder("admin", org)
	cfg := &tfConfig{}
	for _, s := range so.stacks {
		cfg.Resources = append(cfg.Resources, res("spacelift_stack", strings.ReplaceAll(s.ID, "-", "_"),
			"name", fmt.Sprintf("%q", s.Name), "repository", fmt.Sprintf("%q", s.repo), "branch", fmt.Sprintf("%q", s.Branch),
			"project_root", fmt.Sprintf("%q", s.ProjectRoot), "autodeploy", fmt.Sprint(s.Autodeploy)))
	}
	b.roots["stacks"] = cfg
	b.commit("Declare the organisation's stacks", authors[0], start.Add(-4*time.Hour))
	b.repo.heads["main"] = 0
	so.repos = append(so.repos, b.repo)
	so.stacks = append(so.stacks, seedStack{repo: "admin", Stack: model.Stack{
		ID: "admin", Name: "admin", Description: "Administrative stack: manages every stack of " + org,
		Space: "root", Labels: []string{"env:prod", "layer:admin"}, Branch: "main", ProjectRoot: "stacks",
		Administrative: true, Autodeploy: true, CanWrite: true,
	}})
	so.deploy("admin", "maria.chen", start.Add(-2*time.Hour))
	for i, env := range seedEnvs {
		so.deploy(env.name+"-network", "maria.chen", start.Add(time.Duration(i)*10*time.Minute))
	}
}

// addIncidents leaves the organisation needing attention: a deploy waiting
// for confirmation, a prod deploy and a prod task waiting for an approval,
// drift found by scheduled checks, a lock, a plan waiting for review. (The
// failed dev-analytics deploy comes from its own history.)
func (so *seedOrg) addIncidents(base time.Time) {
	so.leave["qa-payments-ledger"] = 2
	so.leave["prod-storefront"] = 1
	so.task("dev-network", "terraform state list", "aisha.khan", base.Add(-26*time.Hour))
	so.task("prod-analytics", "terraform state rm aws_glue_catalog_database.events", "tom.becker", base.Add(-40*time.Minute))
	so.drift("prod-network", base.Add(-9*time.Hour),
		drifted("aws_security_group.shared", "ingress", `[{ cidr_blocks = ["0.0.0.0/0"], from_port = 22, protocol = "tcp", to_port = 22 }]`),
		drifted("module.vpc.aws_subnet.private[0]", scannerTag, scanned(base.Add(-9*time.Hour))))
	so.drift("qa-storefront", base.Add(-7*time.Hour),
		drifted("aws_cloudfront_distribution.cdn", "default_ttl", "86400", scannerTag, scanned(base.Add(-7*time.Hour))))
	so.event(base.Add(-3*time.Hour), func(sd *seeding) error {
		s := sd.e.byID["prod-payments-api"]
		s.Lock = &model.Lock{Holder: "maria.chen", Note: "Change freeze: payments release on Friday", At: base.Add(-3 * time.Hour)}
		return nil
	})
}

func (so *seedOrg) event(at time.Time, do func(sd *seeding) error) {
	so.events = append(so.events, seedEvent{at: at, do: do})
}

func (so *seedOrg) push(repo, branch string, idx int, at time.Time) {
	so.event(at, func(sd *seeding) error { return sd.push(repo, branch, idx, at) })
}

func (so *seedOrg) plan(stackID, repo string, idx int, at time.Time, by string) {
	so.event(at, func(sd *seeding) error {
		s := sd.e.byID[stackID]
		commit := sd.sha(repo, idx)
		sd.e.newRun(s, model.RunPlan, commit, by, s.repo.commits[commit].Message, at)
		return nil
	})
}

func (so *seedOrg) task(stackID, command, by string, at time.Time) {
	so.event(at, func(sd *seeding) error {
		sd.e.newTask(sd.e.byID[stackID], command, by, at)
		return nil
	})
}

func (so *seedOrg) deploy(stackID, by string, at time.Time) {
	so.event(at, func(sd *seeding) error {
		s := sd.e.byID[stackID]
		sd.e.newRun(s, model.RunDeploy, s.TrackedCommit, by, s.repo.commits[s.TrackedCommit].Message, at)
		return nil
	})
}

// drift changes resources behind Terraform's back, and a scheduled drift
// check finds them an hour later.
func (so *seedOrg) drift(stackID string, at time.Time, changes ...model.ResourceChange) {
	so.event(at, func(sd *seeding) error {
		sd.e.byID[stackID].drift = changes
		return nil
	})
	so.event(at.Add(time.Hour), func(sd *seeding) error {
		s := sd.e.byID[stackID]
		sd.e.newRun(s, model.RunDriftCheck, s.TrackedCommit, "drift-detection", "Scheduled drift detection", at.Add(time.Hour))
		return nil
	})
}

// login is the user name in an author line ("Name <email>").
func login(author string) string {
	_, email, _ := strings.Cut(author, "<")
	return loginOf(email)
}
