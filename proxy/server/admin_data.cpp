#include "proxy/server/admin_data.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <mutex>

#include <fmt/format.h>

namespace rwproxy::server {

namespace {

constexpr auto worker_answer_timeout = std::chrono::seconds(2);

std::string yes_no(bool v) { return v ? "true" : "false"; }

}  // namespace

std::vector<admin::BackendRow> AdminData::backends() {
  std::vector<admin::BackendRow> rows;
  const auto topology = parts_.health.snapshot(std::chrono::steady_clock::now());
  const backend::BackendDirectory& directory = parts_.health.directory();
  for (std::size_t slot = 0; slot < topology->backends.size(); ++slot) {
    const backend::BackendStatus& b = topology->backends[slot];
    if (!b.present) continue;
    const router::ReplicaState& r = topology->routing.replicas[slot];
    admin::BackendRow row;
    row.name = directory.at(slot).name;
    row.host = directory.at(slot).host;
    row.port = directory.at(slot).port;
    row.role = std::string(backend::to_string(b.role));
    row.state = std::string(backend::to_string(b.admin));
    row.health = !r.up ? "down" : b.role == backend::Role::replica && !r.lag_admitted ? "lagging" : "up";
    row.weight = b.weight;
    row.lag_ms = b.role == backend::Role::replica ? r.lag_ms : std::nullopt;
    if (b.writable) row.read_only = !*b.writable;
    for (const auto& worker : parts_.metrics.workers()) {
      const metrics::BackendCounters& c = worker->backends[slot];
      row.connections_open += c.open_connections.load(std::memory_order_relaxed);
      row.connections_busy += c.busy_connections.load(std::memory_order_relaxed);
      row.connections_idle += c.idle_connections.load(std::memory_order_relaxed);
      row.statements += c.statements.load(std::memory_order_relaxed);
      row.connect_errors += c.connect_errors.load(std::memory_order_relaxed);
      row.lost_connections += c.lost_connections.load(std::memory_order_relaxed);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<session::SessionSummary> AdminData::sessions() {
  // Each worker lists its own sessions on its own thread; a worker that does not answer in time
  // (a stuck statement cannot stall it: sessions are coroutines) is left out.
  struct Collected {
    std::mutex mutex;
    std::vector<session::SessionSummary> rows;
  };
  auto collected = std::make_shared<Collected>();
  std::vector<std::future<void>> answers;
  for (std::size_t i = 0; i < parts_.workers.size(); ++i) {
    auto done = std::make_shared<std::promise<void>>();
    answers.push_back(done->get_future());
    parts_.workers.at(i).run_on([collected, done](Worker& worker) {
      std::vector<session::SessionSummary> mine;
      worker.list_sessions([&mine](session::SessionSummary s) { mine.push_back(std::move(s)); });
      std::lock_guard lock(collected->mutex);
      for (auto& s : mine) collected->rows.push_back(std::move(s));
      done->set_value();
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + worker_answer_timeout;
  for (auto& answer : answers) answer.wait_until(deadline);
  std::lock_guard lock(collected->mutex);
  std::vector<session::SessionSummary> rows = collected->rows;
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return rows;
}

std::vector<admin::DigestRow> AdminData::digests() {
  std::map<std::uint64_t, admin::DigestRow> merged;
  for (const auto& worker : parts_.metrics.workers()) {
    for (const metrics::DigestTable::Entry& e : worker->digests.entries()) {
      admin::DigestRow& row = merged[e.hash];
      if (row.text.empty()) {
        row.text = e.text;
        row.hash = fmt::format("0x{:016X}", e.hash);
      }
      row.count += e.count_since_reset;
      row.sum_us += e.sum_us;
      row.max_us = std::max(row.max_us, e.max_us);
      row.rows_sent += e.rows_sent;
      row.rows_affected += e.rows_affected;
      row.on_master += e.on_master;
      row.on_replica += e.on_replica;
    }
  }
  std::vector<admin::DigestRow> rows;
  for (auto& [hash, row] : merged) {
    if (row.count > 0) rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  return rows;
}

void AdminData::reset_digests() {
  for (const auto& worker : parts_.metrics.workers()) worker->digests.reset();
}

std::string AdminData::set_backend_state(const std::string& name, const std::string& state) {
  const auto slot = parts_.health.find(name);
  if (!slot) return fmt::format("no backend named '{}' (SHOW BACKENDS lists them)", name);
  const auto value = backend::admin_state_from(state);
  if (!value || !parts_.health.set_admin_state(*slot, *value)) return fmt::format("cannot set '{}' {}", name, state);
  return {};
}

std::string AdminData::set_backend_weight(const std::string& name, std::uint32_t weight) {
  const auto slot = parts_.health.find(name);
  if (!slot) return fmt::format("no backend named '{}' (SHOW BACKENDS lists them)", name);
  if (!parts_.health.set_weight(*slot, weight)) return fmt::format("cannot set the weight of '{}'", name);
  return {};
}

admin::Settings AdminData::running_config() {
  const std::shared_ptr<const config::Config> c = parts_.live.current().config;
  admin::Settings out;
  auto add = [&out](std::string name, std::string value) { out.emplace_back(std::move(name), std::move(value)); };
  add("proxy.listen", fmt::format("{}:{}", c->proxy.listen_address, c->proxy.listen_port));
  add("proxy.worker_threads", std::to_string(c->proxy.worker_threads));
  add("proxy.max_client_connections", std::to_string(c->proxy.max_client_connections));
  add("routing.consistency", std::string(c->routing.consistency == config::Consistency::causal   ? "causal"
                                         : c->routing.consistency == config::Consistency::window ? "window"
                                                                                                  : "none"));
  add("routing.read_after_write_window_ms", std::to_string(c->routing.read_after_write_window_ms));
  add("routing.max_replica_lag_ms", std::to_string(c->routing.max_replica_lag_ms));
  add("routing.no_eligible_replica", std::string(config::to_string(c->routing.no_eligible_replica)));
  add("pool.multiplexing", yes_no(c->pool.multiplexing));
  add("pool.max_connections_per_backend", std::to_string(c->pool.max_connections_per_backend));
  add("monitor.enabled", yes_no(c->monitor.enabled));
  add("monitor.interval_ms", std::to_string(c->monitor.interval_ms));
  add("monitor.follow_writer", yes_no(c->monitor.follow_writer));
  add("tls.enabled", yes_no(c->tls.enabled()));
  // Backends as they run: runtime state and weight (admin changes are not in the file).
  for (const admin::BackendRow& b : backends()) {
    add("backends." + b.name, fmt::format("{}:{} role={} state={} weight={}", b.host, b.port, b.role, b.state,
                                          b.weight));
  }
  for (const config::User& u : c->users) add("users." + u.name, u.require_tls ? "require_tls" : "");
  for (const config::Rule& r : c->rules) add("rules." + r.name, std::string(config::to_string(r.route)));
  return out;
}

admin::Settings AdminData::status() {
  const auto topology = parts_.health.snapshot(std::chrono::steady_clock::now());
  admin::Settings out;
  out.emplace_back("version", RWPROXY_VERSION_STRING);
  out.emplace_back("uptime_seconds", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                        std::chrono::steady_clock::now() - started_)
                                                        .count()));
  out.emplace_back("client_connections", std::to_string(parts_.counters.client_connections.load()));
  out.emplace_back("master", topology->master ? parts_.health.directory().at(*topology->master).name : "");
  out.emplace_back("writer_problem", std::string(router::to_string(topology->problem)));
  out.emplace_back("master_changes", std::to_string(parts_.health.master_changes()));
  return out;
}

}  // namespace rwproxy::server
