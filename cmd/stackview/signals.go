package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts turns SIGINT (ctrl+c outside the UI), SIGTERM and SIGHUP (the
// terminal closed) into the program's context ending, so every exit path
// runs the deferred clean-up (the temporary sandbox is removed). A signal
// after that, or any while the program waits for git pushes to finish,
// insists: the pushes are stopped.
type interrupts struct {
	cancel context.CancelFunc
	ch     chan os.Signal

	mu      sync.Mutex
	n       int
	first   syscall.Signal // the signal that ended the context
	waiting bool
	insist  chan struct{}
}

func watchSignals(parent context.Context) (context.Context, *interrupts) {
	ctx, cancel := context.WithCancel(parent)
	in := &interrupts{cancel: cancel, ch: make(chan os.Signal, 4), insist: make(chan struct{})}
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// A closed stdout (stackview ls | head -1) must fail a write, not kill
	// the process before it removes its sandbox: with SIGPIPE notified,
	// the write returns EPIPE instead.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	go func() {
		for s := range in.ch {
			in.mu.Lock()
			if in.first == 0 {
				in.first, _ = s.(syscall.Signal)
			}
			in.mu.Unlock()
			in.notify()
		}
	}()
	return ctx, in
}

// stop restores the default signal behaviour.
func (in *interrupts) stop() {
	signal.Stop(in.ch)
	close(in.ch)
	in.cancel()
}

// notify handles one signal.
func (in *interrupts) notify() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.n++
	in.cancel()
	if in.n >= 2 || in.waiting {
		in.insisted()
	}
}

func (in *interrupts) insisted() {
	select {
	case <-in.insist:
	default:
		close(in.insist)
	}
}

// waitingForPushes says the program now waits for git pushes: a signal
// from here on insists. The channel closes when the user insists (nil:
// never, for a program run without signals, as in tests).
func (in *interrupts) waitingForPushes() <-chan struct{} {
	if in == nil {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.waiting = true
	return in.insist
}

// exitCode is the status a shell gives a process its first signal killed
// (130 for ctrl+c, 143 for SIGTERM), or 0 when no signal came.
func (in *interrupts) exitCode() int {
	if in == nil {
		return 0
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.first == 0 {
		return 0
	}
	return 128 + int(in.first)
}
