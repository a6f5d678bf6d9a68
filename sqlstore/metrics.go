package sqlstore

import (
	"context"

	"tandem"
)

// OpenAlertsByRule counts the open alerts of the whole force by rule, in
// one query read through the alerts_status index: what the metrics
// endpoint reports at each scrape. It names no source, officer or unit,
// only rule codes and numbers, so it asks for no acting officer; a rule
// with no open alert is left out.
func (s *Store) OpenAlertsByRule(ctx context.Context) (map[tandem.Rule]int, error) {
	out := map[tandem.Rule]int{}
	err := s.view(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT rule, COUNT(*) FROM alerts WHERE status = ? GROUP BY rule`, tandem.AlertOpen)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rule tandem.Rule
			var n int
			if err := rows.Scan(&rule, &n); err != nil {
				return err
			}
			out[rule] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
