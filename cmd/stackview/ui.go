package main

import (
	"errors"

	"github.com/stackview/stackview/internal/audit"
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
	auditPath, err := audit.DefaultPath()
	if err != nil {
		return err
	}
	return ui.Run(a.ctx, ui.Options{
		Audit:           audit.NewFile(auditPath),
		Backend:         be,
		Environments:    a.cfg.Environments,
		Mapping:         a.cfg.Mapping,
		Keys:            a.cfg.Keys,
		Theme:           a.cfg.Theme,
		RefreshInterval: a.cfg.RefreshInterval,
		ReadOnly:        a.cfg.ReadOnly,
		NoColor:         a.noColor(),
	})
}
