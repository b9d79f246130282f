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

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/theme"
	"github.com/stackview/stackview/internal/ui/tree"
)

// Options configures the UI.
type Options struct {
	Backend         backend.Backend     // may fail on first call; UI must survive that
	Environments    []model.Environment // configured order; model.DefaultEnvironments() if empty
	Mapping         model.Mapping       // model.DefaultMapping() if zero
	Keys            map[string][]string // remapping from config [keys]: action name -> keys
	Theme           string              // "auto" | "dark" | "light"
	RefreshInterval time.Duration       // default 5s
	NoColor         bool                // NO_COLOR non-empty or --no-color
	// Mutator carries out every mutation (internal/ops); nil refuses them
	// all. Read-only mode is its setting.
	Mutator screen.Mutator
	// Promotions and Modules read the promotion screens' and the modules
	// view's data from git (internal/promote, internal/modules); nil says
	// those screens need a clone cache.
	Promotions screen.Promotions
	Modules    screen.Modules

	// DriftIgnore is the user config's [[drift.ignore]] rules, in
	// DriftIgnoreFile; RepoFiles reads each repository's
	// .stackview/drift-ignore.toml (nil: none).
	DriftIgnore     []drift.Rule
	DriftIgnoreFile string
	RepoFiles       RepoFiles

	// Warning is said on the status line when the screen opens, until
	// the next key, and kept in the messages (audit.UnfinishedWarning:
	// pushes a killed stackview left without an outcome). Printed before
	// the screen takes over, it would be wiped at once.
	Warning string

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
	ops := opts.Mutator
	if ops == nil {
		ops = refuseAll{}
	}
	m := Model{
		ops:        ops,
		promotions: opts.Promotions,
		modReader:  opts.Modules,
		repoFiles:  opts.RepoFiles,
		ctx:        context.Background(),
		backend:    opts.Backend,
		info:       opts.Backend.Info(),
		caps:       opts.Backend.Capabilities(),
		envs:       envs,
		mapping:    mapping,
		keys:       km,
		themeMode:  opts.Theme,
		noColor:    opts.NoColor,
		now:        now,
		after:      tea.Tick,
		openURL:    openBrowser,
		stacksReq:  1,
		loader:     &loader{},
		stack:      []screen.Screen{tree.New()},
		targets:    []screen.Target{{}},
	}
	m.data.Interval, m.data.Loading, m.data.LoadSince = interval, true, now()
	m.data.Drift.ConfigRules, m.data.Drift.ConfigFile = opts.DriftIgnore, opts.DriftIgnoreFile
	m.styles = theme.New(opts.Theme != "light", opts.NoColor, theme.DefaultPalette())
	m.data.Forest = model.BuildForest(nil, envs, mapping)
	if opts.Warning != "" {
		m.status = m.status.set(now(), "⚠ "+opts.Warning, alertText)
	}
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

// refuseAll is the Mutator of a UI given none (a measurement, say): it
// sends nothing.
type refuseAll struct{}

var errNoMutator = errors.New("this UI was started without a mutation pipeline: nothing can be sent")

func (refuseAll) ReadOnly() bool               { return true }
func (refuseAll) Strategy() promotion.Strategy { return promotion.FastForward }
func (refuseAll) InFlight() map[string]string  { return nil }
func (refuseAll) Refuse(string) error          { return errNoMutator }
func (refuseAll) Record(mutation.Note) error   { return nil }
func (refuseAll) Prepare(mutation.Request) (mutation.Mutation, error) {
	return mutation.Mutation{}, errNoMutator
}
func (refuseAll) Send(mutation.Mutation, mutation.Answer) (func(context.Context) mutation.Outcome, error) {
	return nil, errNoMutator
}
