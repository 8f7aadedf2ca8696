package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what the core does, for GET /metrics.
type Metrics struct {
	messages *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the core's metrics on reg (never the global
// registry, so tests and several bots in one process stay apart).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dealcoach_messages_total",
			Help: "Messages handled, by platform and outcome (ok, invalid, not_found, conflict, forbidden, internal).",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dealcoach_message_seconds",
			Help:    "Time to handle one message, including the committed write.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .5},
		}, []string{"platform"}),
	}
	reg.MustRegister(m.messages, m.latency)
	return m
}

func (m *Metrics) observe(platform, outcome string, start time.Time) {
	if m == nil {
		return
	}
	m.messages.WithLabelValues(platform, outcome).Inc()
	m.latency.WithLabelValues(platform).Observe(time.Since(start).Seconds())
}
