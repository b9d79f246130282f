package sandbox

import (
	"fmt"
	"time"
)

// registryModule is one module of the seeded registry: the resources its
// code manages (in order of introduction) and its published versions.
type registryModule struct {
	name      string
	resources []string // "type.name"
	versions  []string
}

var registryModules = []registryModule{
	{"vpc", []string{"aws_vpc.this", "aws_subnet.private", "aws_subnet.public", "aws_internet_gateway.this", "aws_nat_gateway.this", "aws_flow_log.this"},
		[]string{"1.0.0", "1.1.0", "1.2.0", "1.3.0"}},
	{"rds", []string{"aws_db_subnet_group.this", "aws_db_instance.this", "aws_db_parameter_group.this", "aws_cloudwatch_metric_alarm.cpu"},
		[]string{"3.0.0", "3.1.0", "3.2.0"}},
	{"ecs-service", []string{"aws_ecs_service.this", "aws_ecs_task_definition.this", "aws_iam_role.task", "aws_appautoscaling_target.this", "aws_cloudwatch_log_group.this"},
		[]string{"1.4.0", "2.0.0", "2.1.0"}},
	{"s3-bucket", []string{"aws_s3_bucket.this", "aws_s3_bucket_versioning.this", "aws_s3_bucket_public_access_block.this", "aws_s3_bucket_server_side_encryption_configuration.this"},
		[]string{"1.0.0", "1.1.0", "2.0.0"}},
	{"iam-role", []string{"aws_iam_role.this", "aws_iam_role_policy_attachment.this", "aws_iam_instance_profile.this"},
		[]string{"1.0.0", "1.0.1", "1.1.0"}},
}

// moduleRepoName is the repository (and registry id) of a module.
func moduleRepoName(name string) string { return "terraform-aws-" + name }

// buildModuleRepo writes one commit per version, tagged vX.Y.Z. Each version
// adds the next resource and stamps every resource with its version, so a
// bump shows up in a plan as real changes.
func buildModuleRepo(m registryModule, org string, start time.Time) *seedRepo {
	b := newRepoBuilder("modules/"+moduleRepoName(m.name), org)
	b.extra["README.md"] = []byte(fmt.Sprintf("# terraform-aws-%s\n\nPublished to the %s registry as %s.\n", m.name, org, registrySource(org, m.name)))
	b.extra["variables.tf"] = []byte("variable \"name\" {\n  type = string\n}\n\nvariable \"tags\" {\n  type    = map(string)\n  default = {}\n}\n")
	for k, v := range m.versions {
		cfg := &tfConfig{}
		for _, addr := range m.resources[:min(len(m.resources), 2+k)] {
			typ, name := resourceTypeName(addr)
			cfg.Resources = append(cfg.Resources, tfResource{Type: typ, Name: name, Attrs: []attr{
				{"tags", fmt.Sprintf(`merge(var.tags, { Name = var.name, ModuleVersion = %q })`, v)},
			}})
		}
		b.roots["."] = cfg
		i := b.commit("Release v"+v, authors[k%len(authors)], start.Add(time.Duration(k)*36*time.Hour))
		b.repo.tags["v"+v] = i
	}
	b.repo.heads["main"] = len(b.repo.commits) - 1
	return b.repo
}

var authors = []string{
	"Maria Chen <maria.chen@acme.example>",
	"Dmitri Ivanov <dmitri.ivanov@acme.example>",
	"Aisha Khan <aisha.khan@acme.example>",
	"Tom Becker <tom.becker@acme.example>",
}
