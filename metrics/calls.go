package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tandem"
)

// Calls returns svc with every call import it completes timed: the API's
// and the web page's imports both go through it.
func (m *Metrics) Calls(svc tandem.CallService) tandem.CallService {
	return timedCalls{CallService: svc, imports: m.imports}
}

type timedCalls struct {
	tandem.CallService
	imports prometheus.Histogram
}

func (c timedCalls) ImportCalls(ctx context.Context, format string, calls tandem.CallSource) (*tandem.CallImport, error) {
	start := time.Now()
	res, err := c.CallService.ImportCalls(ctx, format, calls)
	// A refused import (a wrong role, a file that cannot be read) is not
	// an import's duration.
	if err == nil {
		c.imports.Observe(time.Since(start).Seconds())
	}
	return res, err
}
