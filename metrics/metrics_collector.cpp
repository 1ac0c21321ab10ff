#include "metrics/metrics_collector.hpp"

#include <algorithm>
#include <cassert>
#include <map>

namespace rwproxy::metrics {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr std::size_t max_families = 64;

MetricFamily& family(std::vector<MetricFamily>& out, std::string name, std::string help, MetricType type) {
  assert(out.size() < out.capacity());
  out.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
  return out.back();
}

ClientMetric& sample(MetricFamily& f, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) m.counter.value = value;
  else m.gauge.value = value;
  f.metric.push_back(std::move(m));
  return f.metric.back();
}

template <class F>
std::uint64_t sum_workers(const ProxyMetrics& metrics, F&& field) {
  std::uint64_t total = 0;
  for (const auto& w : metrics.workers()) total += field(*w);
  return total;
}

template <class F>
std::int64_t sum_gauges(const ProxyMetrics& metrics, F&& field) {
  std::int64_t total = 0;
  for (const auto& w : metrics.workers()) total += field(*w);
  return total;
}

void add_histogram(MetricFamily& f, std::vector<ClientMetric::Label> labels, const std::vector<const LatencyHistogram*>& parts) {
  ClientMetric m;
  m.label = std::move(labels);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= latency_buckets_seconds.size(); ++i) {
    for (const LatencyHistogram* h : parts) cumulative += h->count(i);
    const double bound = i < latency_buckets_seconds.size() ? latency_buckets_seconds[i]
                                                            : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back(ClientMetric::Bucket{cumulative, bound});
  }
  m.histogram.sample_count = cumulative;
  for (const LatencyHistogram* h : parts) m.histogram.sample_sum += h->sum_seconds();
  f.metric.push_back(std::move(m));
}

}  // namespace

MetricsCollector::MetricsCollector(ExporterSettings settings, const ProxyMetrics& metrics, const ScrapeSource& source)
    : settings_(std::move(settings)),
      metrics_(metrics),
      source_(source),
      start_time_seconds_(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()) {}

std::vector<MetricFamily> MetricsCollector::Collect() const {
  std::vector<MetricFamily> out;
  out.reserve(max_families);  // family() hands out references into `out`: it must not reallocate
  add_process(out);
  add_backends(out);
  add_routing(out);
  add_clients(out);
  add_digests(out);
  return out;
}

void MetricsCollector::add_process(std::vector<MetricFamily>& out) const {
  sample(family(out, "rwproxy_build_info", "rwproxy build; always 1", MetricType::Gauge), {{"version", settings_.version}}, 1);
  sample(family(out, "rwproxy_start_time_seconds", "Start time of the process, unix seconds", MetricType::Gauge), {},
         start_time_seconds_);
  auto& reloads = family(out, "rwproxy_config_reloads_total", "Configuration reloads by result", MetricType::Counter);
  sample(reloads, {{"result", "success"}}, static_cast<double>(source_.config_reloads(true)));
  sample(reloads, {{"result", "failure"}}, static_cast<double>(source_.config_reloads(false)));
}

void MetricsCollector::add_backends(std::vector<MetricFamily>& out) const {
  const std::vector<BackendView> backends = source_.backends();
  auto& up = family(out, "rwproxy_backend_up", "1 if the backend is up", MetricType::Gauge);
  auto& lag = family(out, "rwproxy_replication_lag_seconds", "Replication lag measured by heartbeat", MetricType::Gauge);
  auto& threads = family(out, "rwproxy_replication_threads_running", "1 if the replica's IO and SQL threads run",
                         MetricType::Gauge);
  auto& eligible = family(out, "rwproxy_replica_eligible", "1 if the router may send reads to the replica",
                          MetricType::Gauge);
  auto& connections = family(out, "rwproxy_backend_connections", "Backend connections held by client sessions",
                             MetricType::Gauge);
  auto& statements = family(out, "rwproxy_backend_statements_total", "Statements served by the backend",
                            MetricType::Counter);
  auto& errors = family(out, "rwproxy_backend_errors_total", "Backend connection failures", MetricType::Counter);
  auto& pooled = family(out, "rwproxy_pool_connections",
                        "Backend connections of multiplexed sessions: idle in the pool, or in use by a session",
                        MetricType::Gauge);
  auto& pool_waits = family(out, "rwproxy_pool_waits_total",
                            "Statements that waited for a connection of a full pool, by outcome", MetricType::Counter);
  auto& pool_resets = family(out, "rwproxy_pool_resets_total",
                             "Pooled connections reset (COM_RESET_CONNECTION) before another session used them",
                             MetricType::Counter);
  auto& checks = family(out, "rwproxy_monitor_check_duration_seconds", "Duration of one monitor check",
                        MetricType::Histogram);
  auto& states = family(out, "rwproxy_backend_state",
                        "1 for the backend's admin state (online, drain, offline; set by the admin interface)",
                        MetricType::Gauge);
  auto& weights = family(out, "rwproxy_backend_weight", "The replica's selection weight", MetricType::Gauge);
  for (const BackendView& b : backends) {
    const std::size_t i = b.slot;
    if (i >= metrics_.backend_count()) continue;
    sample(up, {{"backend", b.name}, {"role", b.role}}, b.up ? 1 : 0);
    for (const char* state : {"online", "drain", "offline"}) {
      sample(states, {{"backend", b.name}, {"state", state}}, b.state == state ? 1 : 0);
    }
    sample(weights, {{"backend", b.name}}, b.weight);
    if (b.role == "replica") {
      if (b.lag_seconds) sample(lag, {{"backend", b.name}}, *b.lag_seconds);
      if (b.threads_running) sample(threads, {{"backend", b.name}}, *b.threads_running ? 1 : 0);
      sample(eligible, {{"backend", b.name}}, b.eligible ? 1 : 0);
    }
    auto counters = [&](auto field) { return sum_gauges(metrics_, [&](const WorkerCounters& w) { return field(w.backends[i]); }); };
    const auto open = counters([](const BackendCounters& c) { return c.open_connections.load(); });
    const auto busy = counters([](const BackendCounters& c) { return c.busy_connections.load(); });
    sample(connections, {{"backend", b.name}, {"state", "open"}}, static_cast<double>(open));
    sample(connections, {{"backend", b.name}, {"state", "busy"}}, static_cast<double>(busy));
    sample(connections, {{"backend", b.name}, {"state", "idle"}}, static_cast<double>(std::max<std::int64_t>(0, open - busy)));
    sample(statements, {{"backend", b.name}},
           static_cast<double>(counters([](const BackendCounters& c) { return static_cast<std::int64_t>(c.statements.load()); })));
    sample(errors, {{"backend", b.name}, {"kind", "connect"}},
           static_cast<double>(counters([](const BackendCounters& c) { return static_cast<std::int64_t>(c.connect_errors.load()); })));
    sample(errors, {{"backend", b.name}, {"kind", "lost"}},
           static_cast<double>(counters([](const BackendCounters& c) { return static_cast<std::int64_t>(c.lost_connections.load()); })));
    const auto idle = counters([](const BackendCounters& c) { return c.idle_connections.load(); });
    sample(pooled, {{"backend", b.name}, {"state", "idle"}}, static_cast<double>(idle));
    sample(pooled, {{"backend", b.name}, {"state", "in_use"}}, static_cast<double>(std::max<std::int64_t>(0, open - idle)));
    const auto waited = counters([](const BackendCounters& c) { return static_cast<std::int64_t>(c.pool_waits.load()); });
    const auto timed_out =
        counters([](const BackendCounters& c) { return static_cast<std::int64_t>(c.pool_wait_timeouts.load()); });
    sample(pool_waits, {{"backend", b.name}, {"outcome", "served"}}, static_cast<double>(waited - timed_out));
    sample(pool_waits, {{"backend", b.name}, {"outcome", "timeout"}}, static_cast<double>(timed_out));
    sample(pool_resets, {{"backend", b.name}},
           static_cast<double>(counters([](const BackendCounters& c) { return static_cast<std::int64_t>(c.pool_resets.load()); })));
    if (b.monitor_check) add_histogram(checks, {{"backend", b.name}}, {b.monitor_check});
  }
  sample(family(out, "rwproxy_max_replica_lag_seconds", "Configured routing.max_replica_lag_ms, in seconds",
                MetricType::Gauge),
         {}, source_.max_replica_lag_seconds());
  const WriterView writer = source_.writer();
  auto& problem = family(out, "rwproxy_writer_problem",
                         "1 for why writes have nowhere to go (none: they go to the master)", MetricType::Gauge);
  auto& refused = family(out, "rwproxy_writes_refused_total",
                         "Statements for the master refused because no backend took writes, by cause",
                         MetricType::Counter);
  for (router::WriterProblem p : router::all_writer_problems) {
    const std::string name(router::to_string(p));
    sample(problem, {{"problem", name}}, writer.problem == p ? 1 : 0);
    if (p == router::WriterProblem::none) continue;
    sample(refused, {{"cause", name}}, static_cast<double>(sum_workers(metrics_, [p](const WorkerCounters& w) {
             return w.writes_refused[static_cast<std::size_t>(p)].load(std::memory_order_relaxed);
           })));
  }
  sample(family(out, "rwproxy_writable_backends",
                "Backends with read_only=OFF ([monitor] follow_writer; more than 1 is a split brain)",
                MetricType::Gauge),
         {}, static_cast<double>(writer.writable_backends));
  sample(family(out, "rwproxy_master_changes_total", "Times the proxy followed a new master ([monitor] follow_writer)",
                MetricType::Counter),
         {}, static_cast<double>(writer.master_changes));
}

void MetricsCollector::add_routing(std::vector<MetricFamily>& out) const {
  auto& routed = family(out, "rwproxy_routed_statements_total", "Routing decisions by target and reason",
                        MetricType::Counter);
  auto total = [&](std::size_t target, router::Reason reason) {
    return sum_workers(metrics_, [&](const WorkerCounters& w) {
      return w.routed_count(target, static_cast<std::size_t>(reason));
    });
  };
  for (router::Reason reason : router::all_reasons()) {
    const std::string name(router::to_string(reason));
    sample(routed, {{"target", "master"}, {"reason", name}}, static_cast<double>(total(0, reason)));
    sample(routed, {{"target", "replica"}, {"reason", name}}, static_cast<double>(total(1, reason)));
  }
  sample(family(out, "rwproxy_read_after_write_redirects_total",
                "Reads sent to the master by the read-after-write window", MetricType::Counter),
         {}, static_cast<double>(total(0, router::Reason::read_after_write_window)));
  auto& fallbacks = family(out, "rwproxy_replica_fallbacks_total", "Reads that fell back to the master",
                           MetricType::Counter);
  sample(fallbacks, {{"reason", "no_eligible_replica"}}, static_cast<double>(total(0, router::Reason::no_eligible_replica)));
  sample(fallbacks, {{"reason", "replica_lag"}}, static_cast<double>(total(0, router::Reason::replica_lag)));
  sample(family(out, "rwproxy_read_retries_total", "Reads retried after a replica failure", MetricType::Counter), {},
         static_cast<double>(sum_workers(metrics_, [](const WorkerCounters& w) { return w.read_retries.load(); })));
  auto sum_of = [this](Counter WorkerCounters::*member) {
    return static_cast<double>(sum_workers(metrics_, [member](const WorkerCounters& w) { return (w.*member).load(); }));
  };
  auto& prepares = family(out, "rwproxy_prepared_statements_total",
                          "Binary prepared statements: client PREPAREs answered from the proxy's cache, and "
                          "PREPAREs sent to backend connections",
                          MetricType::Counter);
  sample(prepares, {{"source", "cache"}}, sum_of(&WorkerCounters::prepares_from_cache));
  sample(prepares, {{"source", "backend"}}, sum_of(&WorkerCounters::backend_prepares));
  auto& waits = family(out, "rwproxy_causal_waits_total",
                       "Reads that waited on a replica for the session's GTID position, by outcome", MetricType::Counter);
  sample(waits, {{"outcome", "reached"}}, sum_of(&WorkerCounters::causal_waits_reached));
  sample(waits, {{"outcome", "timeout"}}, sum_of(&WorkerCounters::causal_waits_timed_out));
  {
    auto& wait_time = family(out, "rwproxy_causal_wait_duration_seconds",
                             "Time a replica took to answer MASTER_GTID_WAIT", MetricType::Histogram);
    std::vector<const LatencyHistogram*> parts;
    for (const auto& w : metrics_.workers()) parts.push_back(&w->causal_wait);
    add_histogram(wait_time, {}, parts);
  }
  auto& tokens = family(out, "rwproxy_consistency_tokens_total",
                        "Consistency tokens presented (hint or SET), by result", MetricType::Counter);
  sample(tokens, {{"result", "valid"}}, sum_of(&WorkerCounters::tokens_valid));
  sample(tokens, {{"result", "malformed"}}, sum_of(&WorkerCounters::tokens_malformed));
  sample(tokens, {{"result", "unreachable"}}, sum_of(&WorkerCounters::tokens_unreachable));
  auto& latency = family(out, "rwproxy_statement_duration_seconds", "Statement latency as the proxy sees it",
                         MetricType::Histogram);
  for (std::size_t target = 0; target < WorkerCounters::targets; ++target) {
    std::vector<const LatencyHistogram*> parts;
    for (const auto& w : metrics_.workers()) parts.push_back(&w->latency[target]);
    add_histogram(latency, {{"target", target == 0 ? "master" : "replica"}}, parts);
  }
}

void MetricsCollector::add_clients(std::vector<MetricFamily>& out) const {
  auto counter = [&](std::string name, std::string help, auto field) {
    sample(family(out, std::move(name), std::move(help), MetricType::Counter), {},
           static_cast<double>(sum_workers(metrics_, field)));
  };
  sample(family(out, "rwproxy_client_connections", "Clients connected now", MetricType::Gauge), {},
         source_.client_connections());
  counter("rwproxy_client_connections_total", "Clients accepted",
          [](const WorkerCounters& w) { return w.client_connections_total.load(); });
  counter("rwproxy_client_auth_failures_total", "Failed client logins",
          [](const WorkerCounters& w) { return w.auth_failures.load(); });
  counter("rwproxy_client_bytes_received_total", "Bytes received from clients",
          [](const WorkerCounters& w) { return w.bytes_received.load(); });
  counter("rwproxy_client_bytes_sent_total", "Bytes sent to clients",
          [](const WorkerCounters& w) { return w.bytes_sent.load(); });
  auto& pins = family(out, "rwproxy_session_pins_total",
                      "Times a multiplexed session became bound to its backend connections, by reason",
                      MetricType::Counter);
  for (router::BindReason reason : router::all_bind_reasons()) {
    if (reason == router::BindReason::none) continue;
    const auto index = static_cast<std::size_t>(reason);
    sample(pins, {{"reason", std::string(router::to_string(reason))}},
           static_cast<double>(sum_workers(metrics_, [index](const WorkerCounters& w) { return w.session_pins[index].load(); })));
  }
  sample(family(out, "rwproxy_bound_sessions", "Multiplexed sessions bound to their backend connections now",
                MetricType::Gauge),
         {}, static_cast<double>(sum_gauges(metrics_, [](const WorkerCounters& w) { return w.bound_sessions.load(); })));
}

void MetricsCollector::add_digests(std::vector<MetricFamily>& out) const {
  if (settings_.top_digests == 0) return;
  std::map<std::string, std::uint64_t> merged;
  for (const auto& w : metrics_.workers()) {
    for (auto& e : w->digests.entries()) merged[e.text] += e.count;
  }
  std::vector<std::pair<std::string, std::uint64_t>> sorted(merged.begin(), merged.end());
  const std::size_t n = std::min(settings_.top_digests, sorted.size());
  std::partial_sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n), sorted.end(),
                    [](const auto& a, const auto& b) { return a.second > b.second; });
  auto& f = family(out, "rwproxy_digest_statements_total", "Statements by digest (top digests only)",
                   MetricType::Counter);
  for (std::size_t i = 0; i < n; ++i) sample(f, {{"digest", sorted[i].first}}, static_cast<double>(sorted[i].second));
}

}  // namespace rwproxy::metrics
