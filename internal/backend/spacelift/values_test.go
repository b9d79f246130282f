package spacelift

import (
	"strings"
	"testing"

	"github.com/stackview/stackview/internal/model"
)

// Issue 19: changesV3 carries no values; the client reads them from the
// Terraform plan text of the planning log and marks them so. A rename
// pushed to dev shows what the name was and what it becomes.
func TestValuesAreReadFromThePlanningLog(t *testing.T) {
	w := newSandboxWorld(t)
	s := w.stack(t, "dev-identity")
	w.push(t, s, "terraform/main.tf", func(old string) string {
		return strings.Replace(old, `name = "web"`, `name = "web-app"`, 1)
	})
	runs := w.runsSince(t, s.ID, latestID(s))
	if len(runs) != 1 {
		t.Fatalf("runs after the push: %+v", runs)
	}
	r := w.advanceUntil(t, s.ID, runs[0].ID, "planned", func(r model.Run) bool { return r.Delta != nil && !r.State.Active() })
	changes, err := w.c.RunChanges(ctx(t), s.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Address != "aws_cognito_user_pool_client.web" || changes[0].ValuesFrom != model.ValuesLog {
		t.Fatalf("changes %+v", changes)
	}
	if v, ok := changes[0].Value("name"); !ok || v.String() != `name: "web" → "web-app"` {
		t.Errorf("rename: %+v", changes[0])
	}
}
