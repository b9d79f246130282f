package tfc

import (
	"slices"
	"testing"

	tfe "github.com/hashicorp/go-tfe"

	"github.com/stackview/stackview/internal/model"
)

func TestKeyValueTagsBecomeMappingLabels(t *testing.T) {
	got := labels([]string{"team-a", "env:dev"}, []*tfe.EffectiveTagBinding{
		{Key: "env", Value: "dev"}, {Key: "bu", Value: "payments"}, {Key: "layer", Value: "environment"}, {Key: "critical"},
	})
	want := []string{"team-a", "env:dev", "bu:payments", "layer:environment", "critical"}
	if !slices.Equal(got, want) {
		t.Fatalf("labels = %v, want %v", got, want)
	}
	f := model.BuildForest([]model.Stack{{ID: "ws-1", Name: "net", Labels: got}}, model.DefaultEnvironments(), model.DefaultMapping())
	if root := f.Env("dev").Root; root == nil || root.ID != "ws-1" {
		t.Errorf("key/value tags do not place the workspace as dev's environment stack: %+v", f.Env("dev"))
	}
}
