package sandbox

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/backend"
)

// Read-only accessors beyond backend.Backend, for the dialect servers.

// RunLogsByState returns a run's log split by the state that wrote it, in
// order, as Spacelift serves logs (one stream per state of the history).
func (e *Engine) RunLogsByState(ctx context.Context, stackID, runID string) ([]StateLog, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	r, err := e.run(stackID, runID)
	if err != nil {
		return nil, err
	}
	out := make([]StateLog, len(r.logs))
	for i, l := range r.logs {
		out[i] = StateLog{State: l.State, Lines: slices.Clone(l.Lines)}
	}
	return out, nil
}

// CommitInfo describes one commit, as Spacelift's Commit type does.
type CommitInfo struct {
	Hash        string
	Message     string // subject line
	AuthorName  string
	AuthorLogin string
	Time        time.Time
}

// Commit describes a commit of the stack's repository (e.g. its tracked
// commit or branch head).
func (e *Engine) Commit(ctx context.Context, stackID, sha string) (CommitInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stack(stackID)
	if err != nil {
		return CommitInfo{}, err
	}
	return s.repo.commit(ctx, sha)
}

// RunStack finds the stack a run belongs to (Spacelift's runStack query).
func (e *Engine) RunStack(ctx context.Context, runID string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return "", err
	}
	for _, s := range e.stacks {
		for _, r := range s.runs {
			if r.ID == runID {
				return s.ID, nil
			}
		}
	}
	return "", backend.NotFoundf("run %q", runID)
}

// Output is one output of a stack's last applied run, as Spacelift's
// StackOutput.
type Output struct {
	ID        string
	Value     string
	Sensitive bool
}

// StackOutputs lists the outputs of what the stack last applied: one id per
// top-level resource, with values shaped like AWS ids and stable per commit.
// A stack that never applied has none.
func (e *Engine) StackOutputs(ctx context.Context, stackID string) ([]Output, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	s, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	cfg, res := e.loadConfig(ctx, s, s.applied)
	if res.failure != nil {
		return nil, fmt.Errorf("outputs of %s: %s", stackID, strings.Join(res.failure, " "))
	}
	var out []Output
	for _, addr := range sortedKeys(cfg.resources) {
		typ, _ := resourceTypeName(addr)
		sum := sha1.Sum([]byte(stackID + "\x00" + addr))
		out = append(out, Output{
			ID:        strings.ReplaceAll(addr, ".", "_") + "_id",
			Value:     strings.TrimPrefix(strings.ReplaceAll(typ, "_", "-"), "aws-") + "-" + hex.EncodeToString(sum[:])[:17],
			Sensitive: typ == "aws_kms_key",
		})
	}
	return out, nil
}

// ModuleUse is one registry module a stack calls, at its tracked commit.
type ModuleUse struct {
	Name     string // the module block's name
	ModuleID string
	Version  string
}

// StackModules lists the registry modules the stack's tracked commit calls
// (Spacelift's moduleVersionsUsed), by module block name.
func (e *Engine) StackModules(ctx context.Context, stackID string) ([]ModuleUse, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.now(ctx); err != nil {
		return nil, err
	}
	s, err := e.stack(stackID)
	if err != nil {
		return nil, err
	}
	files, err := s.repo.files(ctx, s.TrackedCommit, s.ProjectRoot)
	if err != nil {
		return nil, err
	}
	parsed, _ := e.parsed.parseDir(files, s.ProjectRoot)
	var out []ModuleUse
	for _, name := range sortedKeys(parsed.Modules) {
		call := parsed.Modules[name]
		if m := e.moduleBySource(call.Source); m != nil {
			out = append(out, ModuleUse{Name: name, ModuleID: m.ID, Version: call.Version})
		}
	}
	return out, nil
}
