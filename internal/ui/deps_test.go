package ui

import (
	"os/exec"
	"strings"
	"testing"
)

// TestUINeedsNoGitAndNoAuditLog pins the boundary: the UI asks for
// mutations and git-backed reads through the interfaces it declares, so no
// package under internal/ui depends on git, the audit log, or the packages
// that use them.
func TestUINeedsNoGitAndNoAuditLog(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"/internal/vcs", "/internal/audit", "/internal/ops", "/internal/promote", "/internal/modules"} {
			if strings.HasSuffix(pkg, banned) || strings.Contains(pkg, banned+"/") {
				t.Errorf("internal/ui depends on %s", pkg)
			}
		}
	}
}
