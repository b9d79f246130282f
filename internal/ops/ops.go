// Package ops is the one path every mutation takes: prepared (read-only
// check, in-flight check, the confirmation's text), confirmed by the
// person in the UI, then sent through Pipeline.Send (read-only check again,
// the in-flight keys claimed, the send, the audit entry, the keys
// released). Backend actions, freezes, promotions, module bumps, predicted
// plans and drift ignores all go this way, so each is sent once per
// confirmed action, refused in read-only mode and written to the audit log.
// The UI knows this package only through the interface it declares.
package ops

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/stackview/stackview/internal/audit"
	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/drift"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
	"github.com/stackview/stackview/internal/vcs"
)

// Timeouts: a backend call; a git change across repositories (clones,
// fetches, commits and pushes).
const (
	callTimeout = 15 * time.Second
	gitTimeout  = 5 * time.Minute
)

// Config is what the pipeline works with.
type Config struct {
	Backend      backend.Backend
	Audit        audit.Recorder // nil records nothing
	Git          *vcs.Cache     // where promotions and bumps work; nil refuses them
	Strategy     promotion.Strategy
	Environments []model.Environment
	ReadOnly     bool
	// SaveIgnore persists a drift ignore rule (the user config) and
	// RemoveIgnore takes one out; nil keeps rules for this session only.
	// IgnoreFile names where they go, for the confirmation.
	SaveIgnore   func(drift.Rule) error
	RemoveIgnore func(drift.Rule) error
	IgnoreFile   string
	Now          func() time.Time // time.Now if nil
}

// Pipeline prepares and sends mutations. It is safe for concurrent use:
// the in-flight keys are claimed on the UI's loop and released by the
// command that sent them.
type Pipeline struct {
	cfg  Config
	info backend.Info

	mu       sync.Mutex
	inflight map[string]string // key -> action
}

// New builds the pipeline.
func New(cfg Config) *Pipeline {
	if cfg.Audit == nil {
		cfg.Audit = audit.Discard{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Strategy == "" {
		cfg.Strategy = promotion.FastForward
	}
	if len(cfg.Environments) == 0 {
		cfg.Environments = model.DefaultEnvironments() // as the UI
	}
	return &Pipeline{cfg: cfg, info: cfg.Backend.Info(), inflight: map[string]string{}}
}

// ReadOnly reports read-only mode: every mutation is refused.
func (p *Pipeline) ReadOnly() bool { return p.cfg.ReadOnly }

// Strategy is how promotions and bumps move branches.
func (p *Pipeline) Strategy() promotion.Strategy { return p.cfg.Strategy }

// InFlight is a copy of the keys sent and waiting for their answer, with
// the action of each.
func (p *Pipeline) InFlight() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.inflight)
}

// Refuse says why nothing called verb may be sent now: read-only mode.
func (p *Pipeline) Refuse(verb string) error {
	if p.cfg.ReadOnly {
		return &mutation.ReadOnlyError{Verb: verb}
	}
	return nil
}

// Prepare turns a request into a mutation ready to confirm, or says why
// it may not be sent: read-only mode, the same thing still in flight, or a
// request this backend or setup cannot carry out.
func (p *Pipeline) Prepare(r mutation.Request) (mutation.Mutation, error) {
	if err := p.Refuse(mutation.Verb(r)); err != nil {
		return mutation.Mutation{}, err
	}
	var m mutation.Mutation
	var err error
	switch r := r.(type) {
	case mutation.Stacks:
		m, err = p.stacks(r)
	case mutation.Promotion:
		m, err = p.promotion(r)
	case mutation.Bump:
		m, err = p.bump(r)
	case mutation.Predict:
		m, err = p.predict(r)
	case mutation.Ignore:
		m = p.ignore(r)
	case mutation.Unignore:
		m = p.unignore(r)
	default:
		err = fmt.Errorf("ops: unknown request %T", r)
	}
	if err != nil {
		return mutation.Mutation{}, err
	}
	if key, action, held := p.held(m.Keys); held {
		return mutation.Mutation{}, &mutation.BusyError{Text: busyText(r, key, action)}
	}
	return m, nil
}

// held finds a key of keys in flight, with the action that holds it.
func (p *Pipeline) held(keys []string) (key, action string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		if a, ok := p.inflight[k]; ok {
			return k, a, true
		}
	}
	return "", "", false
}

// busyText says what is in flight, in the words of the request.
func busyText(r mutation.Request, key, action string) string {
	switch r := r.(type) {
	case mutation.Promotion:
		return "a promotion of this repository was sent; waiting for the answer"
	case mutation.Bump:
		return fmt.Sprintf("a bump of %s was sent; waiting for the answer", r.Address)
	case mutation.Predict:
		return "predicted plans are running"
	case mutation.Stacks:
		for _, o := range r.Ops {
			if o.StackID == key {
				return fmt.Sprintf("%s on %s was sent; waiting for the answer", action, o.Name)
			}
		}
	}
	return fmt.Sprintf("%s was sent; waiting for the answer", action)
}

// Send confirms a prepared mutation: read-only mode is checked again (no
// dialog gets around it) and the in-flight keys are claimed now, on the
// caller's loop, so a repeated key cannot send it twice. The returned work
// sends, audits and releases the keys; run it as a command.
func (p *Pipeline) Send(m mutation.Mutation, a mutation.Answer) (func(context.Context) mutation.Outcome, error) {
	if err := p.Refuse(m.Action); err != nil {
		return nil, err
	}
	p.mu.Lock()
	for _, k := range m.Keys {
		if action, ok := p.inflight[k]; ok {
			p.mu.Unlock()
			return nil, &mutation.BusyError{Text: action + " was sent; waiting for the answer"}
		}
	}
	for _, k := range m.Keys {
		p.inflight[k] = m.Action
	}
	p.mu.Unlock()
	return func(ctx context.Context) mutation.Outcome {
		defer p.release(m.Keys)
		return m.Send(ctx, a)
	}, nil
}

func (p *Pipeline) release(keys []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		delete(p.inflight, k)
	}
}

// Record writes an audit entry that is not a mutation sent.
func (p *Pipeline) Record(n mutation.Note) error {
	return p.cfg.Audit.Record(p.entry(n.Action, n.Environment, n.Target, n.Detail, nil))
}

// entry is an audit entry of this backend, ok or failed with err.
func (p *Pipeline) entry(action, env, target, detail string, err error) audit.Entry {
	e := audit.Entry{Time: p.cfg.Now(), Backend: p.info.Kind, Endpoint: p.info.Endpoint, Action: action,
		Environment: env, Target: target, Result: audit.ResultOK, Detail: detail}
	if err != nil {
		e.Result, e.Detail = audit.ResultError, err.Error()
	}
	return e
}

// sentEntry is the audit entry of a request sent to the backend. A
// failure no one refused (backend.AnswerLost) is unknown: the service may
// have applied it; the entry says what to check before sending it again.
func (p *Pipeline) sentEntry(action, env, target, detail, check string, err error) audit.Entry {
	e := p.entry(action, env, target, detail, err)
	if backend.AnswerLost(err) {
		e.Result = audit.ResultUnknown
		e.Detail = fmt.Sprintf("%s; its answer was lost (%v), so it may have been applied: check %s before sending it again", detail, err, check)
	}
	return e
}

// pushEntry is the audit entry of a git change: a push whose outcome
// nobody saw (vcs.ErrPushUnknown; its error names the ref to check) is
// unknown, every other failure an error.
func (p *Pipeline) pushEntry(action, env, target, detail string, err error) audit.Entry {
	e := p.entry(action, env, target, detail, nil)
	switch {
	case errors.Is(err, vcs.ErrPushUnknown):
		e.Result, e.Detail = audit.ResultUnknown, detail+"; outcome unknown: "+err.Error()
	case err != nil:
		e.Result, e.Detail = audit.ResultError, detail+"; error: "+err.Error()
	}
	return e
}

// protected reports whether env needs its names typed before a mutation.
func (p *Pipeline) protected(env string) bool {
	for _, e := range p.cfg.Environments {
		if e.Name == env {
			return e.Protected
		}
	}
	return false
}
