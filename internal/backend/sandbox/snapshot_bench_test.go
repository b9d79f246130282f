package sandbox

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stackview/stackview/internal/model"
)

// BenchmarkSnapshot10000 measures the persistence not chosen: writing the
// whole world (every stack, every run with its history, log and changes)
// to a file, synced, as a snapshot after each change would. Compare with
// BenchmarkPersistedMutation10000, which journals one line.
func BenchmarkSnapshot10000(b *testing.B) {
	dir := b.TempDir()
	e, err := New(context.Background(), Options{Dir: dir, Stacks: 10_000,
		Clock: NewManualClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	type savedRun struct {
		model.Run
		Logs    []StateLog
		Changes []model.ResourceChange
	}
	type savedStack struct {
		model.Stack
		Applied string
		Runs    []savedRun
	}
	path := filepath.Join(dir, "snapshot.json")
	var size int
	for b.Loop() {
		e.mu.Lock()
		world := make([]savedStack, len(e.stacks))
		for i, s := range e.stacks {
			world[i] = savedStack{Stack: s.Stack, Applied: s.applied}
			for _, r := range s.runs {
				world[i].Runs = append(world[i].Runs, savedRun{Run: r.Run, Logs: r.logs, Changes: r.changes})
			}
		}
		data, err := json.Marshal(world)
		e.mu.Unlock()
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
		f, err := os.Create(path + ".tmp")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		if err := os.Rename(path+".tmp", path); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/snapshot")
}
