package promoview

import (
	"testing"

	"github.com/stackview/stackview/internal/model"
)

func TestReposPutTheEnvironmentFirst(t *testing.T) {
	rows := Repos([]model.Stack{
		{Repo: "git/payments.git", Layer: model.LayerBusinessUnit, BusinessUnit: "payments"},
		{Repo: "git/admin.git", Layer: model.LayerAdministrative},
		{Repo: "git/identity", Layer: model.LayerBusinessUnit, BusinessUnit: "identity"},
		{Repo: "git/env.git", Layer: model.LayerEnvironment},
		{Repo: "git/payments", Layer: model.LayerBusinessUnit, BusinessUnit: "payments"},
	})
	var labels []string
	for _, r := range rows {
		labels = append(labels, r.Label)
	}
	if len(labels) != 3 || labels[0] != "environment" || labels[1] != "identity" || labels[2] != "payments" {
		t.Fatalf("board rows %q: the environment first, one row per repository, no administrative one", labels)
	}
}
