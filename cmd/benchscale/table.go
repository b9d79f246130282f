package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

func printTable(w io.Writer, results []result, o options) {
	var failures []string
	fail := func(n int, what string, err error) string {
		failures = append(failures, fmt.Sprintf("[%d] %d stacks, %s: %v", len(failures)+1, n, what, err))
		return fmt.Sprintf("failed [%d]", len(failures))
	}
	fmt.Fprintf(w, "Every API request %s late (the sandbox's --latency), realistic resources per stack. load: the one-minute load\n", o.latency)
	fmt.Fprintln(w, "average when the run began; cpu: CPU seconds of the client (this process) + the sandbox server (its own process).")

	fmt.Fprintln(w, "\nListing on a new client, lean and page by page (backend.PageStacks)")
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stacks\tbackend\tfirst page\tfirst frame\trows\treq. to frame\tfull tree\tdeps known\trequests\tbytes\theap\tscreen details\tcold (all deps)\tload\tcpu\t")
	for _, r := range results {
		for i, d := range dialects {
			l := r.listings[i]
			if l.err != nil {
				fmt.Fprintf(tw, "%d\t%s\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\n", r.n, d.name, fail(r.n, d.name+" listing", l.err))
				continue
			}
			cold := "-"
			if l.cold > 0 {
				cold = fmt.Sprintf("%s, %d req., load %s, cpu %s", ms(l.cold), l.coldRequests, loadOf(l.coldUse), cpuOf(l.coldUse))
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%d\t%d\t%s\t%s\t%s, %d req.\t%s\t%s\t%s\t\n", r.n, d.name,
				ms(l.firstPage), ms(l.firstFrame), l.firstRows, l.frameRequests, ms(l.fullTree), l.depsKnown, l.fullRequests,
				mib(l.fullBytes), mib(int64(l.heapInUse)), ms(l.details), l.detailRequests, cold, loadOf(l.use), cpuOf(l.use))
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nfirst page: new client → first page of stacks; first frame: + the tree built from it (model.BuildForest);")
	fmt.Fprintln(w, "req. to frame: requests from the client's creation to the first page (TFC: ping, organisation, page; Spacelift: the page,")
	fmt.Fprintln(w, "the API key exchange is made before, by spacelift.New, and counted apart); full tree: to the last page, TFC's dependencies")
	fmt.Fprintln(w, "from the disk cache an earlier start wrote; heap: HeapInuse after the listing and a GC, the listing held;")
	fmt.Fprintf(w, "screen details: ReadDetails of %d stacks (Spacelift: latest runs; TFC: nothing left unread with a warm cache);\n", visibleRows)
	fmt.Fprintln(w, "cold: TFC's first start, from the client's creation until every workspace's dependencies are read from the API;")
	fmt.Fprintln(w, "load and cpu of a listing are those of the listing measured (new client to full tree).")

	fmt.Fprintf(w, "\nSteady state: a refresh every %s (incremental) and a full listing every 5 minutes, against one ListStacks per refresh before\n\n", refreshEvery)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stacks\tbackend\trefresh\tfull listing\treq./min\tbytes/min\tbefore: ListStacks\treq./min\tbytes/min\tbytes ÷\tload\tcpu\t")
	for _, r := range results {
		for i, d := range dialects {
			s := r.steady[i]
			if s.err != nil {
				fmt.Fprintf(tw, "%d\t%s\t%s\t\t\t\t\t\t\t\t\t\t\n", r.n, d.name, fail(r.n, d.name+" refreshes", s.err))
				continue
			}
			req, by := s.perMinute()
			oreq, oby := s.todayPerMinute()
			fmt.Fprintf(tw, "%d\t%s\t%.1f req., %s\t%d req., %s\t%.0f\t%s\t%d req., %s\t%.0f\t%s\t%.0f×\t%s\t%s\t\n", r.n, d.name,
				s.refreshRequests, mib(int64(s.refreshBytes)), s.fullRequests, mib(s.fullBytes), req, mib(int64(by)),
				s.todayRequests, mib(s.todayBytes), oreq, mib(int64(oby)), oby/max(by, 1), loadOf(s.use), cpuOf(s.use))
		}
	}
	tw.Flush()

	fmt.Fprintf(w, "\nThe UI (headless, %d×%d) starting on a new client: drawn page by page, keys pressed from the first frame on\n\n", o.width, o.height)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stacks\tbackend\tfirst frame\trows\tfull tree\trows\theap\tkeys\tkey p50\tkey p99\tkey max\tpages\tpage p99\tpage max\trefresh\tload\tcpu\t")
	for _, r := range results {
		for i, d := range dialects {
			u := r.uis[i]
			if u.err != nil {
				fmt.Fprintf(tw, "%d\t%s\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n", r.n, d.name, fail(r.n, d.name+" UI", u.err))
				continue
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%d\t%s\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r.n, d.name,
				ms(u.firstFrame), u.frameRows, ms(u.fullTree), u.rows, mib(int64(u.heapInUse)), len(u.keys),
				ms(percentile(u.keys, 50)), ms(percentile(u.keys, 99)), ms(percentile(u.keys, 100)),
				len(u.applies), ms(percentile(u.applies, 99)), ms(percentile(u.applies, 100)), ms(u.refresh), loadOf(u.use), cpuOf(u.use))
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nfirst frame: new client → the first frame with rows (the first page laid out off the loop); full tree: → the load's")
	fmt.Fprintln(w, "last page on screen (TFC without a disk cache: dependencies of the rows on screen read first, the rest in the")
	fmt.Fprintln(w, "background); heap: HeapInuse after the load and a GC (client, listing and UI); key: Update + Render of one keystroke")
	fmt.Fprintln(w, "(filter typing, scrolling) pressed while the load, then a refresh, ran; page: Update + Render of one of the load's")
	fmt.Fprintln(w, "messages (a layout made off the loop, swapped in), what a keystroke may wait behind; refresh: one refresh, keys meanwhile.")
	for _, f := range failures {
		fmt.Fprintln(w, f)
	}
}

func loadOf(u usage) string { return fmt.Sprintf("%.1f", u.load) }

func cpuOf(u usage) string {
	return fmt.Sprintf("%.1f + %.1f s", u.client.Seconds(), u.server.Seconds())
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
