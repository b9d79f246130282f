package vcs

import (
	"testing"

	"github.com/stackview/stackview/internal/model"
)

func TestDefaultCloneURLPerProvider(t *testing.T) {
	for _, tc := range []struct {
		repo model.Repository
		want string
	}{
		{model.Repository{Provider: "github", Namespace: "acme", Name: "payments"}, "https://github.com/acme/payments.git"},
		{model.Repository{Provider: "github-enterprise", Namespace: "acme", Name: "payments", WebURL: "https://ghe.acme.example/acme/payments"},
			"https://ghe.acme.example/acme/payments.git"},
		{model.Repository{Provider: "github-enterprise", Host: "ghe.acme.example", Namespace: "acme", Name: "payments"},
			"https://ghe.acme.example/acme/payments.git"},
		{model.Repository{Provider: "gitlab", Namespace: "acme/platform", Name: "payments"}, "https://gitlab.com/acme/platform/payments.git"},
		{model.Repository{Provider: "gitlab", Host: "gitlab.acme.example", Namespace: "acme", Name: "payments"},
			"https://gitlab.acme.example/acme/payments.git"},
		{model.Repository{Provider: "bitbucket-cloud", Namespace: "acme", Name: "payments"}, "https://bitbucket.org/acme/payments.git"},
		{model.Repository{Provider: "bitbucket-datacenter", Host: "bb.acme.example", Namespace: "PAY", Name: "payments"},
			"https://bb.acme.example/scm/PAY/payments.git"},
		{model.Repository{Provider: "azure-devops", Namespace: "acme/platform", Name: "payments"}, "https://dev.azure.com/acme/platform/_git/payments"},
		{model.Repository{Provider: "git", URL: "ssh://git@git.acme.example/payments.git"}, "ssh://git@git.acme.example/payments.git"},
		// the sandbox's git server: the web page's scheme is kept
		{model.Repository{Provider: "github-enterprise", Host: "127.0.0.1:9999", Namespace: "acme", Name: "payments", WebURL: "http://127.0.0.1:9999/acme/payments"},
			"http://127.0.0.1:9999/acme/payments.git"},
		{model.Repository{Provider: "github-enterprise", Namespace: "acme", Name: "payments"}, ""}, // no host known
		{model.Repository{}, ""},
	} {
		if got := DefaultCloneURL(tc.repo); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.repo, got, tc.want)
		}
	}
}

func TestRewritesAndClones(t *testing.T) {
	repo := model.Repository{Provider: "github", Namespace: "acme", Name: "payments"}
	r := Resolver{Rewrites: map[string]string{"https://github.com/": "git@github.com:", "https://github.com/acme/": "https://mirror.acme.example/gh/"}}
	if got := r.CloneURL(repo); got != "https://mirror.acme.example/gh/payments.git" {
		t.Errorf("longest prefix: %q", got)
	}
	r.Clones = map[string]string{"git@github.com:acme/payments": "/home/me/src/payments", "https://github.com/acme/payments.git": "/x"}
	if got := r.CloneURL(repo); got != "https://github.com/acme/payments.git" {
		t.Errorf("a configured clone of the https URL wins: %q", got)
	}
	delete(r.Clones, "https://github.com/acme/payments.git")
	delete(r.Rewrites, "https://github.com/acme/")
	if got := r.CloneURL(repo); got != "git@github.com:acme/payments" {
		t.Errorf("a configured clone of the rewritten URL wins, as keyed: %q", got)
	}
}

func TestProjectRoot(t *testing.T) {
	for in, want := range map[string]string{"/stacks/api": "stacks/api", "stacks/api/": "stacks/api", ".": "", "": "", "/": "", "terraform": "terraform"} {
		if got := ProjectRoot(in); got != want {
			t.Errorf("ProjectRoot(%q) = %q, want %q", in, got, want)
		}
	}
}
