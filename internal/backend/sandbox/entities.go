package sandbox

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// Managed entities: what Spacelift's Stack.entities lists, every resource a
// stack manages, often hundreds. The sandbox expands each resource block
// its applied configuration declares (top-level, and inside the modules it
// calls) into instances: resources of a kind one has many of (subnets, DNS
// records, alarms, queues, policy attachments…) into count instances
// ("aws_route53_record.api[3]"), the others into one. How many a stack has
// in all is drawn per stack from a seeded spread between about twenty and a
// few hundred, so listing them is as costly as it is on a real account.

// Entity is one managed resource of a stack.
type Entity struct {
	ID      string
	Address string // e.g. module.vpc.aws_subnet.private[2]
	Type    string // the resource type, e.g. aws_subnet
	Name    string // the resource's name within its module, with its index
	Parent  string // the module path ("module.vpc"), "" at the root
	// Drifted is when the drift check found the resource drifted (zero when
	// it has not); DriftedAttributes says which attributes.
	Drifted           time.Time
	DriftedAttributes []string
}

// Entity counts per stack: the total is drawn log-uniformly from
// [minEntities, maxEntities].
const (
	minEntities = 20
	maxEntities = 300
)

// singular lists resource types a stack usually has one of per block.
var singular = map[string]bool{
	"aws_vpc": true, "aws_internet_gateway": true, "aws_ec2_transit_gateway": true, "aws_route53_zone": true,
	"aws_security_group": true, "aws_lb": true, "aws_lb_target_group": true, "aws_cloudfront_distribution": true,
	"aws_cognito_user_pool": true, "aws_cognito_identity_provider": true, "aws_kms_key": true,
	"aws_db_instance": true, "aws_db_subnet_group": true, "aws_db_parameter_group": true,
	"aws_ecs_service": true, "aws_ecs_task_definition": true, "aws_athena_workgroup": true,
	"aws_s3_bucket": true, "aws_s3_bucket_versioning": true, "aws_s3_bucket_public_access_block": true,
	"aws_s3_bucket_server_side_encryption_configuration": true, "aws_iam_role": true,
	"aws_iam_instance_profile": true, "aws_flow_log": true, "aws_appautoscaling_target": true, "aws_vpc_endpoint": true,
}

// StackEntities lists every resource the stack manages, in address order.
func (e *Engine) StackEntities(ctx context.Context, stackID string) ([]Entity, error) {
	return inspect(ctx, e, stackID, func(s *stack) ([]Entity, error) { return e.entities(ctx, s), nil })
}

// ResourceCount is how many resources the stack manages: its drawn total
// (see instanceCounts), which is what StackEntities lists unless the
// configuration has more resource blocks than that (then one each). It
// reads no configuration, so a listing of thousands of workspaces can give
// it (TFC's resource-count).
func (e *Engine) ResourceCount(ctx context.Context, stackID string) (int, error) {
	return inspect(ctx, e, stackID, func(s *stack) (int, error) {
		if s.applied == "" {
			return 0, nil
		}
		return e.drawnTotal(s.ID), nil
	})
}

// drawnTotal is the stack's resource total, log-uniform in
// [minEntities, maxEntities].
func (e *Engine) drawnTotal(stackID string) int {
	u := float64(e.draw(stackID, "total")%10000) / 10000
	return int(math.Round(minEntities * math.Pow(maxEntities/minEntities, u)))
}

// entities expands the blocks of the stack's applied configuration.
// Callers hold e.mu.
func (e *Engine) entities(ctx context.Context, s *stack) []Entity {
	if s.applied == "" {
		return nil
	}
	cfg, res := e.loadConfig(ctx, s, s.applied)
	if res.failure != nil {
		return nil
	}
	var blocks []string // addresses of the resource blocks
	blocks = append(blocks, sortedKeys(cfg.resources)...)
	for _, name := range sortedKeys(cfg.modules) {
		for _, addr := range sortedKeys(cfg.modules[name].resources) {
			blocks = append(blocks, "module."+name+"."+addr)
		}
	}
	counts := e.instanceCounts(s.ID, blocks)
	drifted := map[string][]string{}
	for _, c := range s.Drift.Changes {
		drifted[c.Address] = append(drifted[c.Address], c.Attributes...)
	}
	for _, a := range s.Drift.Resources {
		if _, ok := drifted[a]; !ok {
			drifted[a] = nil
		}
	}
	var out []Entity
	for _, block := range blocks {
		parent, local := splitModule(block)
		typ, name := resourceTypeName(local)
		for i := range counts[block] {
			addr, inst := block, name
			if counts[block] > 1 {
				addr, inst = fmt.Sprintf("%s[%d]", block, i), fmt.Sprintf("%s[%d]", name, i)
			}
			en := Entity{ID: s.ID + "/" + addr, Address: addr, Type: typ, Name: inst, Parent: parent}
			if attrs, ok := drifted[addr]; ok && s.Drift.Drifted {
				en.Drifted, en.DriftedAttributes = s.Drift.CheckedAt, append([]string{}, attrs...)
			}
			out = append(out, en)
		}
	}
	return out
}

// instanceCounts gives each block its number of instances: one for singular
// kinds, and the rest of the stack's drawn total shared among the others by
// seeded weights.
func (e *Engine) instanceCounts(stackID string, blocks []string) map[string]int {
	counts := map[string]int{}
	var many []string
	for _, b := range blocks {
		counts[b] = 1
		if typ, _ := resourceTypeName(b); !singular[typ] {
			many = append(many, b)
		}
	}
	extra := e.drawnTotal(stackID) - len(blocks)
	if extra <= 0 || len(many) == 0 {
		return counts
	}
	weights := make([]uint64, len(many))
	var sum uint64
	for i, b := range many {
		weights[i] = 1 + e.draw(stackID, b)%9
		sum += weights[i]
	}
	given := 0
	for i, b := range many {
		n := extra * int(weights[i]) / int(sum)
		if i == len(many)-1 {
			n = extra - given
		}
		counts[b] += n
		given += n
	}
	return counts
}

// draw is a number fixed by the organisation's seed, the stack and a key.
func (e *Engine) draw(stackID, key string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%s", e.seed, stackID, key)
	return h.Sum64()
}

// splitModule splits "module.vpc.aws_subnet.private" into "module.vpc" and
// "aws_subnet.private".
func splitModule(addr string) (string, string) {
	parts := strings.Split(addr, ".")
	if len(parts) > 2 && parts[0] == "module" {
		return strings.Join(parts[:len(parts)-2], "."), strings.Join(parts[len(parts)-2:], ".")
	}
	return "", addr
}

// taskLog is what a task's command prints. The sandbox knows one command
// well, `terraform state list`; others echo that they ran.
func (e *Engine) taskLog(ctx context.Context, r *run) []string {
	lines := []string{"$ " + r.Title}
	if strings.TrimSpace(r.Title) == "terraform state list" {
		for _, en := range e.entities(ctx, r.stack) {
			lines = append(lines, en.Address)
		}
		return lines
	}
	return append(lines, "(the sandbox ran the command; it changes nothing)")
}

// newTask queues a task (a command run on the stack) at time at.
func (e *Engine) newTask(s *stack, command, by string, at time.Time) *run {
	return e.newRun(s, model.RunTask, s.TrackedCommit, by, command, at)
}
