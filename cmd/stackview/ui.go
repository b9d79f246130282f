package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/config"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/modules"
	"github.com/stackview/stackview/internal/ops"
	"github.com/stackview/stackview/internal/promote"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/vcs"
)

// runUI opens the full-screen UI on the configured backend. Key remapping is
// checked before the backend starts; a backend that fails later
// (credentials, network) shows its error inside the UI instead.
func runUI(a *app) (err error) {
	km := keys.Default()
	if err := km.Apply(a.cfg.Keys); err != nil {
		key := "keys"
		var ae *keys.ActionError
		if errors.As(err, &ae) {
			key = "keys." + ae.Action
		}
		return a.cfg.KeyError(key, err)
	}
	be, closeBackend, err := a.openBackend()
	if err != nil {
		return err
	}
	defer closeBackend()
	auditPath, err := audit.DefaultPath()
	if err != nil {
		return err
	}
	rec := audit.NewFile(auditPath)
	warning := unfinishedPushes(rec)
	info := be.Info()
	a.pushes = vcs.NewPushes(audit.PushJournal{Recorder: rec, Backend: info.Kind, Endpoint: info.Endpoint})
	// Deferred in this order, they run: the UI's work is cancelled (no
	// new push starts), pushes still running finish (a push stopped
	// because the user insisted is this program's failure), the backend
	// closes.
	defer func() {
		if stopped := a.finishPushes(); stopped != nil {
			err = stopped
		}
	}()
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	cache := a.gitCache()
	return ui.Run(ctx, ui.Options{
		Backend:         be,
		Environments:    a.cfg.Environments,
		Mapping:         a.cfg.Mapping,
		Keys:            a.cfg.Keys,
		Theme:           a.cfg.Theme,
		RefreshInterval: a.cfg.RefreshInterval,
		NoColor:         a.noColor(),
		DriftIgnore:     a.cfg.DriftIgnore,
		DriftIgnoreFile: a.driftIgnoreFile(),
		RepoFiles:       a.repoFiles,
		Warning:         warning,
		Mutator: ops.New(ops.Config{
			Backend:      be,
			Audit:        rec,
			Git:          &cache,
			Strategy:     promotion.Strategy(a.cfg.Promotion.Strategy),
			Environments: a.cfg.Environments,
			ReadOnly:     a.cfg.ReadOnly,
			SaveIgnore:   a.saveDriftIgnore,
			RemoveIgnore: a.removeDriftIgnore,
			IgnoreFile:   a.driftIgnoreFile(),
		}),
		Promotions: promote.Reader{Cache: &cache, Backend: be},
		Modules:    modules.Reader{Cache: &cache, Backend: be},
	})
}

// gitCache is where promotions and module bumps do their git work. Real
// remotes need the user's own git setup (credential helpers, SSH); the
// sandbox's local repositories do not, and stay isolated from it.
func (a *app) gitCache() vcs.Cache {
	sandbox := a.cfg.Backend == config.BackendSandbox || a.cfg.Backend == config.BackendSandboxDirect
	c := vcs.Cache{Dir: a.cfg.Git.CacheDir, Clones: a.cfg.Git.Clones, UserConfig: !sandbox, Pushes: a.pushes}
	if sandbox && (a.sandboxDir != "" || a.sandboxGit != "") {
		c.RepoKey = sandboxRepoKey(a.sandboxDir, a.sandboxGit)
	}
	return c
}

// sandboxRepoKey names the sandbox's repositories by their place in the
// sandbox, not by its directory: a temporary sandbox lives somewhere new
// on every run, and its repositories must not be cloned anew each time.
// The sandbox serves them over http on a port of its own (gitBase), also
// new on every run: <gitBase>/<org>/<name>.git keys as sandbox/<org>/<name>.git.
func sandboxRepoKey(dir, gitBase string) func(string) string {
	return func(url string) string {
		if rest, ok := strings.CutPrefix(url, gitBase+"/"); ok && gitBase != "" {
			return "sandbox/" + rest
		}
		if dir == "" {
			return vcs.NormalizeURL(url)
		}
		rel, err := filepath.Rel(dir, strings.TrimPrefix(url, "file://"))
		if err != nil || strings.HasPrefix(rel, "..") {
			return vcs.NormalizeURL(url)
		}
		return "sandbox/" + filepath.ToSlash(rel)
	}
}

// driftIgnoreFile is where ignore rules chosen in the UI are saved: the
// config file in use, or the default one when none was read.
func (a *app) driftIgnoreFile() string {
	if a.cfg.Path != "" {
		return a.cfg.Path
	}
	return config.DefaultPath()
}

// saveDriftIgnore appends a rule chosen in the UI to the config file.
func (a *app) saveDriftIgnore(r drift.Rule) error {
	return config.AppendDriftIgnore(a.driftIgnoreFile(), r)
}

// removeDriftIgnore takes a rule out of the config file.
func (a *app) removeDriftIgnore(r drift.Rule) error {
	return config.RemoveDriftIgnore(a.driftIgnoreFile(), r)
}
