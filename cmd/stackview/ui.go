package main

import (
	"errors"

	"github.com/stackview/stackview/internal/config"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/ui"
	"github.com/stackview/stackview/internal/ui/keys"
)

// runUI opens the full-screen UI on the configured backend. Key remapping is
// checked before the backend starts; a backend that fails later
// (credentials, network) shows its error inside the UI instead.
func runUI(a *app) error {
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
	return ui.Run(a.ctx, ui.Options{
		Backend:         be,
		Environments:    a.cfg.Environments,
		Mapping:         a.cfg.Mapping,
		Keys:            a.cfg.Keys,
		Theme:           a.cfg.Theme,
		RefreshInterval: a.cfg.RefreshInterval,
		ReadOnly:        a.cfg.ReadOnly,
		NoColor:         a.noColor(),
		DriftIgnore:     a.cfg.DriftIgnore,
		RepoFiles:       a.repoFiles,
		SaveDriftIgnore: a.saveDriftIgnore,
	})
}

// saveDriftIgnore appends a rule chosen in the UI to the config file in use,
// or to the default one when none was read.
func (a *app) saveDriftIgnore(r drift.Rule) error {
	path := a.cfg.Path
	if path == "" {
		path = config.DefaultPath()
	}
	return config.AppendDriftIgnore(path, r)
}
