// Package bench measures Tandem as its users meet it: the real binary,
// started as a process, driven over HTTP by concurrent clients, beside a
// bare net/http server that does nothing but decode the same request (the
// ceiling any server on this machine could reach). Figures are medians of
// several rounds, measured side by side in one run, so that a shared and
// noisy machine moves both sides alike.
package bench

import (
	"fmt"
	"sort"
	"time"
)

// Sample is a set of durations of one kind of request.
type Sample []time.Duration

// Quantile returns the q-th quantile (0 to 1) of the sample, nearest rank.
func (s Sample) Quantile(q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := append(Sample(nil), s...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	i := int(q*float64(len(c))+0.5) - 1
	i = max(0, min(i, len(c)-1))
	return c[i]
}

// Median returns the median of a set of numbers.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

// Spread is the median, minimum and maximum of a figure over rounds.
type Spread struct{ Median, Min, Max float64 }

// SpreadOf summarises a figure's rounds.
func SpreadOf(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := Spread{Median: Median(xs), Min: xs[0], Max: xs[0]}
	for _, x := range xs {
		s.Min, s.Max = min(s.Min, x), max(s.Max, x)
	}
	return s
}

// ms writes a duration in milliseconds.
func ms(d float64) string { return fmt.Sprintf("%.1f ms", d) }
