package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tandem"
)

// AlertCounter counts the force's open alerts by rule, in one query
// (sqlstore.Store).
type AlertCounter interface {
	OpenAlertsByRule(ctx context.Context) (map[tandem.Rule]int, error)
}

// scrapeTimeout bounds the count a scrape waits for.
const scrapeTimeout = 10 * time.Second

// openAlerts reports the open alerts by rule, counted when scraped: the
// number is the store's, never a copy that could drift from it.
type openAlerts struct {
	desc  *prometheus.Desc
	count AlertCounter
}

func newOpenAlerts(count AlertCounter) *openAlerts {
	return &openAlerts{
		desc:  prometheus.NewDesc("tandem_open_alerts", "Open alerts of the whole force, by rule code.", []string{"rule"}, nil),
		count: count,
	}
}

func (c *openAlerts) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *openAlerts) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	n, err := c.count.OpenAlertsByRule(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	// Every rule, 0 included, so that a rule's alerts all closing reads as
	// 0 and not as a series that stopped.
	for _, r := range tandem.Rules {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n[r]), string(r))
	}
	for r, v := range n {
		if !tandem.ValidRule(r) {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(v), string(r))
		}
	}
}
