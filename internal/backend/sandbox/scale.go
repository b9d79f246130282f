package sandbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// Scale mode: many business units spread over a handful of domain
// repositories, each unit a few project roots, every root a stack in each
// environment. Quick to build, meant for benchmarks rather than demos.

const (
	scaleRepos        = 8
	scaleRootsPerUnit = 4
)

// scaleProjects returns the environment project and enough domain projects
// for about n stacks in total (3 per project root, plus the environment
// stacks and the admin stack).
func scaleProjects(ctx context.Context, rng *rand.Rand, n int) ([]project, error) {
	env := projects(rng)[0]
	roots := max(1, (n-len(seedEnvs)-1)/len(seedEnvs))
	domains := make([]project, scaleRepos)
	for i := range domains {
		domains[i].repo = fmt.Sprintf("domain-%02d", i+1)
	}
	for r := 0; r < roots; r++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		unit := fmt.Sprintf("unit-%03d", r/scaleRootsPerUnit+1)
		d := &domains[(r/scaleRootsPerUnit)%scaleRepos]
		d.roots = append(d.roots, projectRoot{
			dir:         fmt.Sprintf("units/%s/stack-%d", unit, r%scaleRootsPerUnit+1),
			suffix:      fmt.Sprintf("%s-stack-%d", unit, r%scaleRootsPerUnit+1),
			description: "Generated stack of " + unit,
			unit:        unit,
			config: tfConfig{
				Modules: []tfModuleCall{mod("bucket", "s3-bucket", "1.1.0", "name", fmt.Sprintf(`"%s-%d"`, unit, r))},
				Resources: []tfResource{
					res("aws_iam_role", "app", "name", fmt.Sprintf(`"%s-app-%d"`, unit, r)),
					res("aws_sqs_queue", "events", "message_retention_seconds", fmt.Sprint(86400*(1+rng.IntN(7)))),
				},
			},
		})
	}
	out := []project{env}
	for _, d := range domains {
		if len(d.roots) == 0 {
			continue
		}
		d.history = []projectChange{
			{"Tune queue retention", 2, []string{"dev", "qa"}, everyNth(7, func(c *tfConfig) { c.Resources[1].Attrs[0].Expr = "1209600" })},
			// an unpublished module version: these dev deploys fail
			{"Bump s3-bucket module to 2.1.0", 3, []string{"dev"}, everyNth(23, func(c *tfConfig) { c.Modules[0].Version = "2.1.0" })},
		}
		out = append(out, d)
	}
	return out, nil
}

// everyNth applies f to every nth project root, in path order.
func everyNth(n int, f func(*tfConfig)) func(map[string]*tfConfig) {
	return func(roots map[string]*tfConfig) {
		for i, root := range sortedKeys(roots) {
			if i%n == 0 {
				f(roots[root])
			}
		}
	}
}

// addScaleIncidents spreads drift and locks over the generated stacks so
// that views at scale have something to flag.
func (so *seedOrg) addScaleIncidents(base time.Time) {
	for i, s := range so.stacks {
		switch {
		case s.Space == "qa" && i%31 == 0:
			so.drift(s.ID, base.Add(-5*time.Hour), drifted("aws_iam_role.app", "assume_role_policy",
				`"{\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"}}]}"`))
		case s.Space == "prod" && i%43 == 0:
			id := s.ID
			so.event(base.Add(-time.Hour), func(sd *seeding) error {
				sd.e.byID[id].Lock = &model.Lock{Holder: "maria.chen", Note: "Investigating", At: base.Add(-time.Hour)}
				return nil
			})
		}
	}
}
