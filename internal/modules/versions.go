package modules

import (
	"context"
	"fmt"
	"strings"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/tfmod"
	"github.com/stackview/stackview/internal/vcs"
)

// Versions finds the published versions of modules: registry modules from
// the backend's registry (Spacelift, TFC or the sandbox), git sources from
// the remote's tags. It remembers what it found; use one per refresh.
type Versions struct {
	Backend backend.Backend
	Cache   *vcs.Cache

	modules []model.Module // the registry's, listed once
	known   map[string][]string
}

// Available lists the versions published for a source, unordered.
func (v *Versions) Available(ctx context.Context, src tfmod.Source) ([]string, error) {
	key := src.Address() + " " + src.TagPrefix // a tag prefix picks other tags
	if vs, ok := v.known[key]; ok {
		return vs, nil
	}
	var vs []string
	var err error
	switch src.Kind {
	case tfmod.KindGit:
		vs, err = v.gitVersions(ctx, src)
	case tfmod.KindSpacelift, tfmod.KindTFC, tfmod.KindRegistry:
		vs, err = v.registryVersions(ctx, src)
	default:
		return nil, fmt.Errorf("a %s module (%s) has no published versions", src.Kind, src.Raw)
	}
	if err != nil {
		return nil, err
	}
	if v.known == nil {
		v.known = map[string][]string{}
	}
	v.known[key] = vs
	return vs, nil
}

// Status is where one use stands: current, newest allowed, newest, major.
func (v *Versions) Status(ctx context.Context, c tfmod.Call) (tfmod.Status, error) {
	vs, err := v.Available(ctx, c.Source)
	if err != nil {
		return tfmod.Status{Spec: c.Spec()}, err
	}
	return tfmod.Resolve(c.Spec(), vs)
}

func (v *Versions) gitVersions(ctx context.Context, src tfmod.Source) ([]string, error) {
	if v.Cache == nil {
		return nil, fmt.Errorf("versions of %s: no git cache", src.Repo)
	}
	tags, err := v.Cache.RemoteTags(ctx, gitURL(src.Repo))
	if err != nil {
		return nil, err
	}
	return tfmod.TagVersions(tags, src.TagPrefix), nil
}

// gitURL is the URL git itself accepts for a Terraform git source address
// (the github.com/ shorthand is https).
func gitURL(repo string) string {
	if strings.HasPrefix(repo, "github.com/") || strings.HasPrefix(repo, "bitbucket.org/") {
		return "https://" + repo
	}
	return repo
}

func (v *Versions) registryVersions(ctx context.Context, src tfmod.Source) ([]string, error) {
	if v.Backend == nil {
		return nil, fmt.Errorf("versions of %s: no backend", src.Address())
	}
	if v.modules == nil {
		ms, err := v.Backend.ListModules(ctx)
		if err != nil {
			return nil, fmt.Errorf("list modules: %w", err)
		}
		v.modules = ms
	}
	for _, m := range v.modules {
		if strings.EqualFold(m.Source, src.Address()) {
			mvs, err := v.Backend.ListModuleVersions(ctx, m.ID)
			if err != nil {
				return nil, fmt.Errorf("versions of %s: %w", m.Source, err)
			}
			var out []string
			for _, mv := range mvs {
				if !mv.Yanked {
					out = append(out, mv.Number)
				}
			}
			return out, nil
		}
	}
	return nil, backend.NotFoundf("module %s in the registry", src.Address())
}
