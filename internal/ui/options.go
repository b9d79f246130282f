// Package ui is stackview's full-screen terminal UI: environment tabs, the
// stack tree of the selected environment and a detail pane, refreshed live
// from a backend.Backend.
package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/theme"
	"github.com/stackview/stackview/internal/vcs"
)

// Options configures the UI.
type Options struct {
	Backend         backend.Backend     // may fail on first call; UI must survive that
	Environments    []model.Environment // configured order; model.DefaultEnvironments() if empty
	Mapping         model.Mapping       // model.DefaultMapping() if zero
	Keys            map[string][]string // remapping from config [keys]: action name -> keys
	Theme           string              // "auto" | "dark" | "light"
	RefreshInterval time.Duration       // default 5s
	ReadOnly        bool
	NoColor         bool // NO_COLOR non-empty or --no-color
	// Audit records every mutation sent; nil records nothing.
	Audit audit.Recorder
	// Git is the clone cache promotions and module bumps work in; Strategy
	// how they move branches (config [git], [promotion]).
	Git      vcs.Cache
	Strategy promotion.Strategy

	// DriftIgnore is the user config's [[drift.ignore]] rules; RepoFiles
	// reads each repository's .stackview/drift-ignore.toml (nil: none);
	// SaveDriftIgnore persists a rule chosen with i (nil: this session only).
	DriftIgnore     []drift.Rule
	RepoFiles       RepoFiles
	SaveDriftIgnore func(drift.Rule) error

	// Now is the clock for ages and "updated Ns ago"; time.Now if nil. Tests
	// and the sandbox pass their own clock so the screen is deterministic.
	Now func() time.Time
}

// DefaultRefreshInterval is used when Options.RefreshInterval is zero.
const DefaultRefreshInterval = 5 * time.Second

// KeyActions returns the action names config may remap.
func KeyActions() []string { return keys.Actions() }

// New builds the root model. It fails only on a bad key remapping.
func New(opts Options) (Model, error) {
	if opts.Backend == nil {
		return Model{}, errors.New("ui: no backend")
	}
	km := keys.Default()
	if err := km.Apply(opts.Keys); err != nil {
		return Model{}, fmt.Errorf("ui: %w", err)
	}
	envs := opts.Environments
	if len(envs) == 0 {
		envs = model.DefaultEnvironments()
	}
	mapping := opts.Mapping
	if isZeroMapping(mapping) {
		mapping = model.DefaultMapping()
	}
	interval := opts.RefreshInterval
	if interval <= 0 {
		interval = DefaultRefreshInterval
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	rec := opts.Audit
	if rec == nil {
		rec = audit.Discard{}
	}
	m := Model{
		audit:     rec,
		ctx:       context.Background(),
		backend:   opts.Backend,
		info:      opts.Backend.Info(),
		envs:      envs,
		mapping:   mapping,
		keys:      km,
		themeMode: opts.Theme,
		noColor:   opts.NoColor,
		interval:  interval,
		readOnly:  opts.ReadOnly,
		now:       now,
		after:     tea.Tick,
		openURL:   openBrowser,
		git:       opts.Git,
		strategy:  opts.Strategy,
		stacksReq: 1,
		loading:   true,

		repoFiles:  opts.RepoFiles,
		saveIgnore: opts.SaveDriftIgnore,
	}
	m.drift.configRules = opts.DriftIgnore
	m.styles = theme.New(opts.Theme != "light", opts.NoColor, theme.DefaultPalette())
	m.forest = model.BuildForest(nil, envs, mapping)
	return m, nil
}

func isZeroMapping(m model.Mapping) bool {
	return m.EnvironmentLabelPrefix == "" && m.BusinessUnitLabelPrefix == "" &&
		m.EnvironmentStackLabel == "" && m.BusinessUnitPattern == nil && !m.UseSpace
}

// Run shows the UI full-screen until the user quits or ctx is cancelled.
func Run(ctx context.Context, opts Options) error {
	m, err := New(opts)
	if err != nil {
		return err
	}
	m.ctx = ctx
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if _, err := tea.NewProgram(m, popts...).Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("ui: %w", err)
	}
	return nil
}
