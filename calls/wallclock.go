package calls

import (
	"math"
	"time"
)

// minYear and maxYear bound the years read. No call is older than 1970,
// and a UTC start must stay printable as RFC 3339 (years 0000–9999) after
// the zone's offset moves it.
const (
	minYear = 1970
	maxYear = 9998
)

// parseWall reads "YYYY-MM-DD HH:MM:SS" and returns it as seconds since
// 1970-01-01 00:00:00 on a clock with no zone: the wall time, not yet an
// instant. It refuses anything else, including impossible dates such as
// 2026-02-29, a leap second, and years outside minYear–maxYear.
func parseWall(b []byte) (int64, bool) {
	if len(b) != 19 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	num := func(b []byte) int {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d := num(b[0:4]), num(b[5:7]), num(b[8:10])
	h, mi, s := num(b[11:13]), num(b[14:16]), num(b[17:19])
	if y < minYear || y > maxYear || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) ||
		h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 {
		return 0, false
	}
	return daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+s), true
}

// daysIn returns the number of days in month m of year y.
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (Howard Hinnant's algorithm): integer arithmetic only,
// several times faster than time.Date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= minYear-1 > 0: no rounding toward zero to correct
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// zonePeriod is a stretch of time [start, end) in Unix seconds during which
// a zone keeps one offset from UTC.
type zonePeriod struct {
	start, end int64
	offset     int64 // seconds east of UTC
}

// wallClock turns wall times of one zone into instants. Call records come
// in time order, so the few periods around the last lookups answer nearly
// every lookup without asking the time package.
type wallClock struct {
	loc   *time.Location
	cache [4]zonePeriod
	n     int // periods cached
	next  int // the cache slot to overwrite next
}

func newWallClock(loc *time.Location) *wallClock {
	if loc == nil {
		loc = time.UTC
	}
	return &wallClock{loc: loc}
}

// period returns the period of the zone containing instant t.
func (w *wallClock) period(t int64) zonePeriod {
	for i := 0; i < w.n; i++ {
		if p := w.cache[i]; p.start <= t && t < p.end {
			return p
		}
	}
	at := time.Unix(t, 0).In(w.loc)
	_, off := at.Zone()
	s, e := at.ZoneBounds()
	p := zonePeriod{start: math.MinInt64, end: math.MaxInt64, offset: int64(off)}
	if !s.IsZero() {
		p.start = s.Unix()
	}
	if !e.IsZero() {
		p.end = e.Unix()
	}
	w.cache[w.next] = p
	w.next = (w.next + 1) % len(w.cache)
	w.n = min(w.n+1, len(w.cache))
	return p
}

// instants returns, earliest first, the instants at which the zone's clocks
// showed wall time u: none in the hour skipped when clocks go forward, two
// in the hour repeated when they go back, one otherwise.
//
// An instant t shows u when t + offset(t) = u. No zone's offset reaches a
// day, so every such t lies within a day of u: walk the zone's periods over
// [u − 1 day, u + 1 day] and keep, for each, u − offset when it falls inside
// that period.
func (w *wallClock) instants(u int64, out *[2]int64) int {
	const day = 86400
	n := 0
	t := u - day
	for range 8 { // a zone changes offset at most a few times in two days
		p := w.period(t)
		if c := u - p.offset; p.start <= c && c < p.end && n < len(out) {
			out[n] = c
			n++
		}
		if p.end > u+day || p.end <= t {
			break
		}
		t = p.end
	}
	return n
}
