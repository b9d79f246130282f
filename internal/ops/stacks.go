package ops

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/mutation"
	"github.com/stackview/stackview/internal/promotion"
)

// stacks prepares backend actions. Protected environments make the
// confirmation strict: the stack name (one op) or the environment names
// (bulk) must be typed, except for plans, which change nothing.
func (p *Pipeline) stacks(r mutation.Stacks) (mutation.Mutation, error) {
	if len(r.Ops) == 0 {
		return mutation.Mutation{}, fmt.Errorf("nothing to send")
	}
	first := r.Ops[0]
	m := mutation.Mutation{Action: first.Action, Confirm: !r.NoConfirm, Bulk: r.Bulk, Cancelled: "cancelled: nothing was sent",
		Sending: "sending " + first.Action + " of " + first.Name + "…"}
	if len(r.Ops) > 1 {
		m.Sending = fmt.Sprintf("sending %s of %d stacks…", first.Action, len(r.Ops))
	}
	for _, o := range r.Ops {
		m.Keys = append(m.Keys, o.StackID)
	}
	if first.Action != "plan" {
		var protected []string
		for _, o := range r.Ops {
			if p.protected(o.Env) && !contains(protected, o.Env) {
				protected = append(protected, o.Env)
			}
		}
		if len(protected) > 0 {
			m.Strict = true
			want, what := first.Name, "the stack name"
			if r.Bulk {
				sort.Strings(protected)
				want, what = strings.Join(protected, " "), "the environment name"
				if len(protected) > 1 {
					what = "the environment names"
				}
			}
			m.Fields = append(m.Fields, mutation.Field{Label: "Protected: type " + what + " (" + want + ") to go ahead", Want: want})
		}
	}
	m.Title = mutation.TitleVerb(first.Action) + " " + first.Name + "?"
	m.Lines = p.describe(first)
	if r.Bulk {
		m.Title = fmt.Sprintf("%s %d %s?", mutation.TitleVerb(first.Action), len(r.Ops), plural(len(r.Ops), "stack"))
		if r.Title != "" {
			m.Title = r.Title
		}
		m.Lines = append([]string(nil), r.Review...)
	}
	if radius := promotion.Radius(r.Radius); len(radius) > 0 {
		m.Lines = append(append(m.Lines, ""), radius...)
	}
	note := false
	switch {
	case first.Action == "review":
		note = true
		m.Fields = append(m.Fields, mutation.Field{Label: "Review note (optional)"})
		m.Buttons = []mutation.Button{{Label: "Reject", Hotkey: mutation.HotkeyReject}, {Label: "Approve", Hotkey: mutation.HotkeyApprove}}
	case first.Action == "lock" && first.Note == "":
		note = true
		m.Fields = append(m.Fields, mutation.Field{Label: "Lock note (why; shown to everyone)"})
		fallthrough
	default:
		m.Buttons = []mutation.Button{{Label: mutation.TitleVerb(first.Action), Hotkey: mutation.HotkeyYes}}
	}
	ops, b := append([]mutation.StackOp(nil), r.Ops...), p.cfg.Backend
	m.Send = func(ctx context.Context, a mutation.Answer) mutation.Outcome {
		for i := range ops {
			if note {
				ops[i].Note = strings.TrimSpace(a.Values[len(a.Values)-1])
			}
			if first.Action == "review" {
				ops[i].Action = map[int]string{1: "reject", 2: "approve"}[a.Button]
			}
		}
		return mutation.Outcome{Stacks: p.sendStacks(ctx, b, ops)}
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sendStacks runs the ops one after another (a bulk of twenty confirms
// should not look like an attack to the API) and audits each.
func (p *Pipeline) sendStacks(ctx context.Context, b backend.Backend, ops []mutation.StackOp) []mutation.StackResult {
	results := make([]mutation.StackResult, 0, len(ops))
	for _, o := range ops {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		run, err := perform(cctx, b, o)
		cancel()
		entry := p.sentEntry(o.Action, o.Env, o.Target(), auditDetail(o, run), toCheck(o), err)
		if aerr := p.cfg.Audit.Record(entry); aerr != nil && err == nil {
			err = fmt.Errorf("sent, but the audit log failed: %w", aerr)
			run = nil
		}
		results = append(results, mutation.StackResult{Op: o, Run: run, Err: err})
	}
	return results
}

// toCheck is what shows whether an op whose answer was lost was applied.
func toCheck(o mutation.StackOp) string {
	switch o.Action {
	case "lock", "unlock":
		return "whether " + o.Name + " is locked"
	case "sync":
		return o.Name + "'s tracked commit"
	}
	return o.Name + "'s runs"
}

func auditDetail(o mutation.StackOp, run *model.Run) string {
	parts := []string{"stack " + o.StackID}
	if o.Note != "" {
		parts = append(parts, "note: "+o.Note)
	}
	if run != nil {
		parts = append(parts, fmt.Sprintf("run %s %s", run.ID, run.State))
	}
	return strings.Join(parts, "; ")
}

// perform sends one op. Stack-level answers return no run.
func perform(ctx context.Context, b backend.Backend, o mutation.StackOp) (*model.Run, error) {
	var r model.Run
	var err error
	switch o.Action {
	case "plan":
		r, err = b.Trigger(ctx, o.StackID, model.RunPlan)
	case "deploy":
		r, err = b.Trigger(ctx, o.StackID, model.RunDeploy)
	case "drift-check":
		r, err = b.Trigger(ctx, o.StackID, model.RunDriftCheck)
	case "promote":
		r, err = b.Promote(ctx, o.StackID, o.RunID)
	case "confirm":
		r, err = b.Confirm(ctx, o.StackID, o.RunID)
	case "discard":
		r, err = b.Discard(ctx, o.StackID, o.RunID)
	case "retry":
		r, err = b.Retry(ctx, o.StackID, o.RunID)
	case "cancel":
		r, err = b.Cancel(ctx, o.StackID, o.RunID)
	case "stop":
		r, err = b.Stop(ctx, o.StackID, o.RunID)
	case "approve", "reject":
		r, err = b.Review(ctx, o.StackID, o.RunID, o.Action == "approve", o.Note)
	case "lock":
		_, err = b.Lock(ctx, o.StackID, o.Note)
		return nil, err
	case "unlock":
		_, err = b.Unlock(ctx, o.StackID)
		return nil, err
	case "sync":
		_, err = b.SyncCommit(ctx, o.StackID)
		return nil, err
	default:
		return nil, fmt.Errorf("unknown action %q", o.Action)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// describe is the confirmation's account of one op: action, stack,
// environment, commit and run.
func (p *Pipeline) describe(o mutation.StackOp) []string {
	env := orDash(o.Env)
	if p.protected(o.Env) {
		env += " (protected)"
	}
	lines := []string{
		"Action       " + actionText(o.Action),
		"Stack        " + o.Name,
		"Environment  " + env,
		"Commit       " + orDash(model.ShortSHA(o.Commit)),
	}
	if o.RunID != "" {
		run := o.RunID + " (" + string(o.State) + ")"
		if o.Kind != "" {
			run = o.RunID + " (" + string(o.Kind) + ", " + string(o.State) + ")"
		}
		lines = append(lines, "Run          "+run)
	}
	if l := o.Lock; l != nil {
		lines = append(lines, "Lock         "+lockText(*l))
	}
	if o.Approval {
		lines = append(lines, "Approval     an approval policy holds this run until it is approved")
	}
	if n := len(o.IgnoredDrift); n > 0 {
		lines = append(lines, fmt.Sprintf("Ignored      %d drifted %s ignore rules hide; its plan reverts %s too:", n, plural(n, "resource"), itOrThem(n)))
		for _, d := range o.IgnoredDrift {
			lines = append(lines, "             · "+d)
		}
	}
	if o.Delta != nil {
		plan := o.Delta.String()
		if o.Delta.Destroy > 0 {
			plan += fmt.Sprintf("  ⚠ destroys %d %s", o.Delta.Destroy, plural(o.Delta.Destroy, "resource"))
		}
		lines = append(lines, "Plan         "+plan)
	}
	return lines
}

// itOrThem is "it" or "them" for n things.
func itOrThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// lockText names a lock's holder and note, and what it means for a
// mutation: only its holder starts runs on a locked stack.
func lockText(l model.Lock) string {
	if l.Mine {
		text := "⊘ locked by you"
		if l.Note != "" {
			text += " (" + l.Note + ")"
		}
		return text
	}
	text := "⊘ locked by " + l.Holder
	if l.Note != "" {
		text += ": “" + l.Note + "”"
	}
	return text + " — only the holder starts runs on it, so this will likely be refused; ask " + l.Holder + " first"
}

// actionText explains an action in the words of the product (ux-anchors §0:
// "deploy preview" is Spacelift's promotion, not an environment move).
func actionText(action string) string {
	switch action {
	case "plan":
		return "plan (a proposed run: nothing is applied)"
	case "deploy":
		return "deploy (a tracked run: plan, then apply)"
	case "promote":
		return "deploy preview (a tracked run of this plan's commit)"
	case "sync":
		return "sync the tracked commit to the branch head"
	}
	return action
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
