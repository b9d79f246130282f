package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

func printTable(w io.Writer, results []result, width, height int) {
	var failures []string
	fmt.Fprintf(w, "Full load of the tree over loopback HTTP (ListStacks on a new client; warm = median of the next %d)\n\n", warmLoads)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stacks\tsandbox build\tbackend\tstacks read\tcold load\twarm load\trequests\tbytes\t")
	for _, r := range results {
		for i, d := range dialects {
			l := r.loads[i]
			if l.err != nil {
				failures = append(failures, fmt.Sprintf("[%d] %d stacks, %s load: %v", len(failures)+1, r.n, d.name, l.err))
				fmt.Fprintf(tw, "%d\t%s\t%s\tfailed [%d]\t\t\t\t\t\n", r.n, ms(r.build), d.name, len(failures))
				continue
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t\n", r.n, ms(r.build), d.name, l.stacks, ms(l.cold), ms(l.warm), l.requests, mib(l.bytes))
		}
	}
	tw.Flush()

	fmt.Fprintf(w, "\nUI, headless at %d×%d (keystroke = Update + Render; the selected stack's runs load off the loop and are not timed)\n\n", width, height)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stacks\tbackend\tfirst frame\treq. to frame\ttree rows\tfilter p50\tfilter p99\tscroll p50\tscroll p99\trefresh apply\theap in use\tallocs to frame\t")
	for _, r := range results {
		for i, d := range dialects {
			u := r.uis[i]
			if u.err != nil {
				failures = append(failures, fmt.Sprintf("[%d] %d stacks, %s UI: %v", len(failures)+1, r.n, d.name, u.err))
				fmt.Fprintf(tw, "%d\t%s\tfailed [%d]\t\t\t\t\t\t\t\t\t\t\n", r.n, d.name, len(failures))
				continue
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.n, d.name, ms(u.firstFrame), u.frameRequests, u.rows,
				ms(percentile(u.filter, 50)), ms(percentile(u.filter, 99)), ms(percentile(u.scroll, 50)), ms(percentile(u.scroll, 99)),
				ms(u.refreshApply), mib(int64(u.heapInUse)), fmt.Sprintf("%dk / %d MiB", u.allocs/1000, u.allocMB))
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nheap in use: the measuring process after the first frame and a GC (the sandbox runs in another process);")
	fmt.Fprintln(w, "allocs to frame: objects / bytes allocated from a new client to the first frame; refresh apply: Update with a reload's result, on the UI loop.")
	for _, f := range failures {
		fmt.Fprintln(w, f)
	}
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

func mib(b int64) string {
	if b < 1<<20 {
		return fmt.Sprintf("%.0f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
