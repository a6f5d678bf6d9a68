package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Markdown writes the report as the tables of docs/performance.md.
func (r *Report) Markdown(w io.Writer) {
	p := r.Plan
	fmt.Fprintf(w, "Measured %s on %s, in %s: %d rounds of every figure (medians, with the lowest and highest round), %d-second load rounds, %d requests per page and round.\n\n",
		r.Started.UTC().Format("2006-01-02 15:04 UTC"), r.Machine, r.Took.Round(time.Second), p.Rounds, p.Seconds, p.Requests)

	fmt.Fprintln(w, "### Recording a contact, beside the ceiling")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The ceiling is a bare `net/http` handler that decodes the same JSON body strictly and answers 201, driven by the same clients in the same run. Every Tandem request is fully durable (`synchronous=FULL`, acknowledged after its commit), audited and rule-checked.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| store | clients | Tandem contacts/s | ceiling req/s | ratio (floor 25 % at 16) | p50 | p99 (floor 50 ms) | failures |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, rec := range append(append([]Recording{}, r.Recording...), r.Postgres...) {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %.1f %% | %s | %s | %d |\n", rec.Store, rec.Clients, rate(rec.Rate), rate(rec.Ceiling),
			100*rec.RatioToCeiling, spreadMS(rec.P50), spreadMS(rec.P99), rec.Failures)
	}
	if len(r.Postgres) > 0 {
		fmt.Fprintln(w)
		for _, rec := range r.Postgres {
			if rec.RatioToSQLite > 0 {
				fmt.Fprintf(w, "- %s at %d client(s): %.0f contacts/s, %.2f× SQLite's %.0f/s on the same force (floor 0.5×).\n", rec.Store, rec.Clients, rec.Rate.Median, rec.RatioToSQLite, rec.SQLiteRateForRatio)
			}
		}
	}
	for _, rec := range append(append([]Recording{}, r.Recording...), r.Postgres...) {
		if rec.FirstFailure != "" {
			fmt.Fprintf(w, "\nFirst failure (%s, %d clients): `%s`\n", rec.Store, rec.Clients, strings.ReplaceAll(rec.FirstFailure, "`", "'"))
		}
	}
	if fw := r.FlatWrite; fw != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "### Flat writes")
		fmt.Fprintln(w)
		fmt.Fprintf(w, "Recording a contact, one request at a time, for a source with %d contacts: p50 %s; for one with %d: p50 %s. Ratio %.2f (floor: at most 1.5).\n",
			fw.Long, spreadMS(fw.P50Long), fw.Short, spreadMS(fw.P50Short), fw.Ratio)
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "### Pages and lists")
	fmt.Fprintln(w)
	if len(r.Stores) > 0 {
		head := "| page or list |"
		rule := "|---|"
		for _, s := range r.Stores {
			head += fmt.Sprintf(" p50 at %s | p95 at %s |", count(s.Contacts), count(s.Contacts))
			rule += "---:|---:|"
		}
		if len(r.Stores) > 1 {
			head += " p95 ratio (floor 1.5) | target p95 |"
			rule += "---:|---:|"
		}
		fmt.Fprintln(w, head)
		fmt.Fprintln(w, rule)
		for i, pg := range r.Stores[0].Pages {
			line := "| " + pg.Name + " |"
			for _, s := range r.Stores {
				if i < len(s.Pages) {
					line += fmt.Sprintf(" %s | %s |", spreadMS(s.Pages[i].P50), spreadMS(s.Pages[i].P95))
				}
			}
			if n := len(r.Stores); n > 1 && i < len(r.Stores[n-1].Pages) {
				small, large := r.Stores[0].Pages[i].P95.Median, r.Stores[n-1].Pages[i].P95.Median
				ratio := "–"
				if small > 0 {
					ratio = fmt.Sprintf("%.2f", large/small)
				}
				target := "–"
				if pg.Target > 0 {
					target = fmt.Sprintf("%.0f ms", pg.Target)
				}
				line += fmt.Sprintf(" %s | %s |", ratio, target)
			}
			fmt.Fprintln(w, line)
		}
		fmt.Fprintln(w)
		for _, s := range r.Stores {
			fmt.Fprintf(w, "- %s: %s. Cold start (process start to the first healthy answer) %s; resident memory after the pages and the load %.0f MiB, peak %.0f MiB (floors: under 1 s, under 200 MB).\n",
				count(s.Contacts), s.Seed, spreadMS(s.ColdStart), float64(s.RSS)/(1<<20), float64(s.Peak)/(1<<20))
		}
	}
	if b := r.Board; b != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "### The early-warning board of a unit with two years of history")
		fmt.Fprintln(w)
		fmt.Fprintf(w, "A store of one unit (%s), read by its controller over the default 90-day window and over the whole two years (`days=730`):\n\n", b.Seed)
		fmt.Fprintln(w, "| page or list | p50 | p95 | target |")
		fmt.Fprintln(w, "|---|---:|---:|---:|")
		for _, pg := range b.Pages {
			fmt.Fprintf(w, "| %s | %s | %s | %.0f ms |\n", pg.Name, spreadMS(pg.P50), spreadMS(pg.P95), pg.Target)
		}
	}
	if ir := r.Import; ir != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "### Call import")
		fmt.Fprintln(w)
		fmt.Fprintf(w, "`tandem calls import` of %d Asterisk lines, %d of them between an officer's work phone and a source's number, end to end (the process's wall time): %s, %s lines/s, peak resident memory %s MiB (floors: under 2 s, at least 500,000 lines/s, under 100 MB).\n",
			ir.Lines, ir.Kept, spreadF(ir.Took, "%.2f s"), spreadF(ir.Rate, "%.0f"), spreadF(ir.Peak, "%.0f"))
	}
}

func count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

func rate(s Spread) string { return fmt.Sprintf("%.0f (%.0f–%.0f)", s.Median, s.Min, s.Max) }

func spreadMS(s Spread) string {
	return fmt.Sprintf("%.1f ms (%.1f–%.1f)", s.Median, s.Min, s.Max)
}

func spreadF(s Spread, format string) string {
	return fmt.Sprintf(format+" ("+format+"–"+format+")", s.Median, s.Min, s.Max)
}
