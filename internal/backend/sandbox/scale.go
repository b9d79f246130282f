package sandbox

import (
	"fmt"
	"math/rand/v2"
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
func scaleProjects(rng *rand.Rand, n int) []project {
	env := projects(rng)[0]
	roots := max(1, (n-len(seedEnvs)-1)/len(seedEnvs))
	domains := make([]project, scaleRepos)
	for i := range domains {
		domains[i].repo = fmt.Sprintf("domain-%02d", i+1)
	}
	for r := 0; r < roots; r++ {
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
		d.history = []projectChange{{"Tune queue retention", 2, []string{"dev", "qa"}, func(r map[string]*tfConfig) {
			i := 0
			for _, root := range sortedKeys(r) {
				if i%7 == 0 {
					r[root].Resources[1].Attrs[0].Expr = "1209600"
				}
				i++
			}
		}}}
		out = append(out, d)
	}
	return out
}
