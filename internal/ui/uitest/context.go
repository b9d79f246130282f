package uitest

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/ui/keys"
	"github.com/stackview/stackview/internal/ui/screen"
	"github.com/stackview/stackview/internal/ui/theme"
)

// Context is a screen context over a backend's stacks, for the tests of a
// single screen: default keys, dark styles, Epoch as the time, a 120×30
// terminal, and a Mutator that records requests instead of sending them.
// What the screen asks the root for lands in Asks.
func Context(t testing.TB, f *Fake) (*screen.Context, *Mutations) {
	t.Helper()
	stacks, err := f.ListStacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data := &screen.Data{Forest: model.BuildForest(stacks, model.DefaultEnvironments(), model.DefaultMapping()),
		Loaded: true, Index: screen.Index{Dependents: map[string][]string{}}}
	muts := &Mutations{}
	asks := []tea.Msg{}
	c := &screen.Context{Ctx: context.Background(), Keys: keys.Default(), Styles: theme.New(true, false, theme.DefaultPalette()),
		Now: func() time.Time { return Epoch }, After: After, Backend: f, Info: f.Info(), Caps: f.Capabilities(),
		Envs: model.DefaultEnvironments(), Ops: muts, Data: data, Width: 120, Height: 30, Top: true}
	c.Asks = &asks
	return c, muts
}

// Mutations is a screen.Mutator that prepares nothing: it keeps the
// requests it is given, so a test reads what a key asked for.
type Mutations struct {
	ReadOnlyMode bool
	Busy         map[string]string
	Requests     []mutation.Request
}

var _ screen.Mutator = (*Mutations)(nil)

// ReadOnly implements screen.Mutator.
func (m *Mutations) ReadOnly() bool { return m.ReadOnlyMode }

// Strategy implements screen.Mutator.
func (m *Mutations) Strategy() promotion.Strategy { return promotion.FastForward }

// InFlight implements screen.Mutator.
func (m *Mutations) InFlight() map[string]string { return m.Busy }

// Refuse implements screen.Mutator.
func (m *Mutations) Refuse(verb string) error {
	if m.ReadOnlyMode {
		return &mutation.ReadOnlyError{Verb: verb}
	}
	return nil
}

// Prepare implements screen.Mutator: it records the request.
func (m *Mutations) Prepare(r mutation.Request) (mutation.Mutation, error) {
	m.Requests = append(m.Requests, r)
	return mutation.Mutation{}, nil
}

// Send implements screen.Mutator: nothing is sent.
func (m *Mutations) Send(mutation.Mutation, mutation.Answer) (func(context.Context) mutation.Outcome, error) {
	return func(context.Context) mutation.Outcome { return mutation.Outcome{} }, nil
}

// Record implements screen.Mutator.
func (m *Mutations) Record(mutation.Note) error { return nil }
