package bot

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dealcoach/dealcoach/store"
)

// Metrics counts what the core, the adapters, the scheduler and the
// backups do, for GET /metrics. docs/metrics.md lists every metric.
type Metrics struct {
	messages *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	apiCalls   *prometheus.CounterVec
	apiLatency *prometheus.HistogramVec
	retries    *prometheus.CounterVec
	dropped    *prometheus.CounterVec

	ticks       *prometheus.CounterVec
	enqueued    prometheus.Counter
	lastTick    prometheus.Gauge
	backups     *prometheus.CounterVec
	lastBackup  prometheus.Gauge
	rateLimited *prometheus.CounterVec
}

// NewMetrics registers the metrics on reg (never the global registry, so
// tests and several bots in one process stay apart).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dealcoach_messages_total",
			Help: "Messages handled, by platform, kind (new, update, show, list, …; form and submit for forms) and outcome (ok, invalid, not_found, conflict, forbidden, internal).",
		}, []string{"platform", "kind", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dealcoach_message_seconds",
			Help:    "Time to handle one message, including the committed write, by platform and kind.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1, 2.5},
		}, []string{"platform", "kind"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dealcoach_platform_api_calls_total",
			Help: "HTTP calls to the platforms' APIs, by platform, method (chat.postMessage; POST im/v1/messages/:id/reply) and result (ok, rate_limited for 429, client_error, server_error, error for no answer).",
		}, []string{"platform", "method", "result"}),
		apiLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dealcoach_platform_api_seconds",
			Help:    "Time of one call to a platform's API, by platform.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 8), // 10 ms … 6 s
		}, []string{"platform"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dealcoach_platform_retries_total",
			Help: "Replies tried again after a failure, by platform and reason (rate_limited: the platform asked to wait; error).",
		}, []string{"platform", "reason"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dealcoach_platform_replies_dropped_total",
			Help: "Replies given up on (a permanent error, attempts used up, or shutdown's deadline), by platform.",
		}, []string{"platform"}),
		ticks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dealcoach_scheduler_ticks_total",
			Help: "Scheduler ticks (one a minute: reminders and digests due are enqueued), by result (ok, error).",
		}, []string{"result"}),
		enqueued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dealcoach_scheduler_messages_enqueued_total",
			Help: "Scheduled messages (reminders, digests) written to the outbox.",
		}),
		lastTick: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dealcoach_scheduler_last_tick_timestamp_seconds",
			Help: "When the scheduler last finished a tick (Unix time).",
		}),
		backups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dealcoach_backups_total",
			Help: "Daily backups written by serve, by result (ok, error).",
		}, []string{"result"}),
		lastBackup: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dealcoach_backup_last_success_timestamp_seconds",
			Help: "When serve last wrote a daily backup (Unix time; 0 before the first).",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dealcoach_rate_limited_total",
			Help: "Chat updates refused because their sender sent too many too fast, by platform.",
		}, []string{"platform"}),
	}
	reg.MustRegister(m.messages, m.latency, m.apiCalls, m.apiLatency, m.retries, m.dropped,
		m.ticks, m.enqueued, m.lastTick, m.backups, m.lastBackup, m.rateLimited)
	return m
}

func (m *Metrics) observe(platform, kind, outcome string, start time.Time) {
	if m == nil {
		return
	}
	m.messages.WithLabelValues(platform, kind, outcome).Inc()
	m.latency.WithLabelValues(platform, kind).Observe(time.Since(start).Seconds())
}

// Transport wraps a platform adapter's HTTP transport to count its API
// calls: the adapters' one choke point every Web API call, reply and
// upload goes through. The result is the HTTP one: Slack's "ok": false
// and Lark's non-zero code on a 200 count as ok here (they show as
// retries, drops and in the logs).
func (m *Metrics) Transport(platform string) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		if m == nil {
			return next
		}
		return countingTransport{m: m, platform: platform, next: next}
	}
}

type countingTransport struct {
	m        *Metrics
	platform string
	next     http.RoundTripper
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	result := "ok"
	switch {
	case err != nil:
		result = "error"
	case resp.StatusCode == http.StatusTooManyRequests:
		result = "rate_limited"
	case resp.StatusCode >= 500:
		result = "server_error"
	case resp.StatusCode >= 400:
		result = "client_error"
	}
	t.m.apiCalls.WithLabelValues(t.platform, apiMethod(t.platform, req), result).Inc()
	t.m.apiLatency.WithLabelValues(t.platform).Observe(time.Since(start).Seconds())
	return resp, err
}

// idSegment is a path segment kept as it is in a method's name: words,
// dots and underscores, or a version (v1). Anything else (om_3f9a…, 1234)
// is an id, named ":id" so that the label's values stay few.
var idSegment = regexp.MustCompile(`^([a-z_.]{1,40}|v[0-9]+)$`)

// slackMethod is a Web API method's name (chat.postMessage).
var slackMethod = regexp.MustCompile(`^[a-zA-Z]{1,30}(\.[a-zA-Z]{1,40}){1,3}$`)

// apiMethod names the API method of req: Slack's method (chat.postMessage;
// "response_url" for a slash command's response URL), Lark's verb and
// path without ids (POST im/v1/messages/:id/reply).
func apiMethod(platform string, req *http.Request) string {
	p := req.URL.Path
	if platform == "slack" {
		if _, m, ok := strings.Cut(p, "/api/"); ok && slackMethod.MatchString(m) {
			return m
		}
		return "response_url"
	}
	p = strings.TrimPrefix(strings.Trim(p, "/"), "open-apis/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if !idSegment.MatchString(s) {
			segs[i] = ":id"
		}
	}
	return req.Method + " " + strings.Join(segs, "/")
}

// OnRetry is the reply queue's OnRetry for platform.
func (m *Metrics) OnRetry(platform string) func(key string, err error, rateLimited bool) {
	return func(_ string, _ error, rateLimited bool) {
		if m == nil {
			return
		}
		reason := "error"
		if rateLimited {
			reason = "rate_limited"
		}
		m.retries.WithLabelValues(platform, reason).Inc()
	}
}

// OnGiveUp is the reply queue's OnGiveUp for platform.
func (m *Metrics) OnGiveUp(platform string) func(key string, err error) {
	return func(string, error) {
		if m != nil {
			m.dropped.WithLabelValues(platform).Inc()
		}
	}
}

// SchedulerTick counts one tick of the scheduler (its OnTick).
func (m *Metrics) SchedulerTick(enqueued int, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.ticks.WithLabelValues(result).Inc()
	m.enqueued.Add(float64(enqueued))
	m.lastTick.SetToCurrentTime()
}

// Backup counts one daily backup.
func (m *Metrics) Backup(err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.backups.WithLabelValues("error").Inc()
		return
	}
	m.backups.WithLabelValues("ok").Inc()
	m.lastBackup.SetToCurrentTime()
}

// RateLimited counts a chat update refused for coming too fast.
func (m *Metrics) RateLimited(platform string) {
	if m != nil {
		m.rateLimited.WithLabelValues(platform).Inc()
	}
}

// The deals are counted again on a scrape only when they changed since
// the last count, and not before a hundred times that count's duration
// (at least a second) has passed: the count scans the deals, some ms for a
// team but about 270 ms over 100,000, which then stays under 1% of a core
// however often Prometheus scrapes.
const (
	dealCountsMinGap = time.Second
	dealCountsFactor = 100
)

// NewStoreCollector reads the database's queues on every scrape (the
// outbox's depth and oldest message, the inbox's backlog), and the deals by
// stage and status when they changed (see dealCountsFactor). now is the
// store's clock (the ages are against the times it stamped).
func NewStoreCollector(db *store.DB, now func() time.Time, log *slog.Logger) prometheus.Collector {
	return &storeCollector{db: db, now: now, log: log, minGap: dealCountsMinGap,
		outboxPending: prometheus.NewDesc("dealcoach_outbox_pending", "Scheduled messages waiting to be sent, by platform.", []string{"platform"}, nil),
		outboxGivenUp: prometheus.NewDesc("dealcoach_outbox_given_up", "Scheduled messages given up on (kept for the record), by platform.", []string{"platform"}, nil),
		outboxOldest:  prometheus.NewDesc("dealcoach_outbox_oldest_age_seconds", "Age of the oldest scheduled message waiting to be sent, by platform (absent when none waits).", []string{"platform"}, nil),
		inboxBacklog:  prometheus.NewDesc("dealcoach_inbox_backlog", "Platform events recorded and not yet handled, by platform.", []string{"platform"}, nil),
		inboxOldest:   prometheus.NewDesc("dealcoach_inbox_oldest_age_seconds", "Age of the oldest platform event not yet handled, by platform (absent when none waits).", []string{"platform"}, nil),
		deals:         prometheus.NewDesc("dealcoach_deals", "Deals by stage (the playbook's key) and status (open, won, lost); counted again when they changed, at most every 100 times the count's duration.", []string{"stage", "status"}, nil),
		up:            prometheus.NewDesc("dealcoach_store_stats_up", "1 when this scrape could read the database's stats, else 0.", nil, nil),
	}
}

type storeCollector struct {
	db  *store.DB
	now func() time.Time
	log *slog.Logger

	outboxPending, outboxGivenUp, outboxOldest, inboxBacklog, inboxOldest, deals, up *prometheus.Desc

	mu        sync.Mutex // one count of the deals at a time
	counts    []store.DealCount
	version   int64         // DealsVersion at the last count
	nextCount time.Time     // real time before which the deals are not counted again
	minGap    time.Duration // dealCountsMinGap; shorter in tests
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.outboxPending, c.outboxGivenUp, c.outboxOldest, c.inboxBacklog, c.inboxOldest, c.deals, c.up} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.db.Queues(ctx)
	if err == nil {
		s.Deals, err = c.dealCounts(ctx)
	}
	if err != nil {
		c.log.Error("metrics: read the database's stats", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	now := c.now()
	for _, q := range s.Outbox {
		ch <- prometheus.MustNewConstMetric(c.outboxPending, prometheus.GaugeValue, float64(q.Pending), q.Platform)
		ch <- prometheus.MustNewConstMetric(c.outboxGivenUp, prometheus.GaugeValue, float64(q.GivenUp), q.Platform)
		if !q.Oldest.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.outboxOldest, prometheus.GaugeValue, max(now.Sub(q.Oldest).Seconds(), 0), q.Platform)
		}
	}
	for _, q := range s.Inbox {
		ch <- prometheus.MustNewConstMetric(c.inboxBacklog, prometheus.GaugeValue, float64(q.Pending), q.Platform)
		if !q.Oldest.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.inboxOldest, prometheus.GaugeValue, max(now.Sub(q.Oldest).Seconds(), 0), q.Platform)
		}
	}
	for _, d := range s.Deals {
		ch <- prometheus.MustNewConstMetric(c.deals, prometheus.GaugeValue, float64(d.N), d.Stage, d.Status)
	}
}

// dealCounts counts the deals again when they changed and the last count
// is old enough, else returns the last count.
func (c *storeCollector) dealCounts(ctx context.Context) ([]store.DealCount, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts != nil && time.Now().Before(c.nextCount) {
		return c.counts, nil
	}
	v, err := c.db.DealsVersion(ctx)
	if err != nil {
		return nil, err
	}
	if c.counts != nil && v == c.version {
		return c.counts, nil
	}
	start := time.Now()
	counts, err := c.db.DealCounts(ctx)
	if err != nil {
		return nil, err
	}
	if counts == nil {
		counts = []store.DealCount{}
	}
	c.counts, c.version = counts, v
	c.nextCount = time.Now().Add(max(c.minGap, dealCountsFactor*time.Since(start)))
	return counts, nil
}
