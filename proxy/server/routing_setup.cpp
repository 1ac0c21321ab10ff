#include "proxy/server/routing_setup.hpp"

namespace rwproxy::server {

namespace {

router::RuleRoute convert(config::RuleRoute route) {
  switch (route) {
    case config::RuleRoute::master: return router::RuleRoute::master;
    case config::RuleRoute::replica: return router::RuleRoute::replica;
    case config::RuleRoute::any: return router::RuleRoute::any;
  }
  return router::RuleRoute::any;
}

router::Consistency convert(config::Consistency mode) {
  switch (mode) {
    case config::Consistency::window: return router::Consistency::window;
    case config::Consistency::causal: return router::Consistency::causal;
    case config::Consistency::none: return router::Consistency::none;
  }
  return router::Consistency::window;
}

}  // namespace

router::RoutingPolicy make_routing_policy(const config::Config& config) {
  router::RoutingPolicy policy;
  policy.read_after_write_window = std::chrono::milliseconds(config.routing.read_after_write_window_ms);
  policy.max_replica_lag_ms = config.routing.max_replica_lag_ms;
  policy.error_when_no_replica = config.routing.no_eligible_replica == config::NoReplicaAction::error;
  policy.consistency = convert(config.routing.consistency);
  policy.monotonic_reads = config.routing.monotonic_reads;
  policy.causal_wait_timeout_ms = config.routing.causal_wait_timeout_ms;
  for (const config::Rule& rule : config.rules) {
    router::Rule compiled;
    compiled.name = rule.name;
    compiled.digest = rule.digest;
    if (rule.digest_regex) compiled.digest_regex = std::regex(*rule.digest_regex, std::regex::ECMAScript);
    compiled.user = rule.user;
    compiled.schema = rule.schema;
    compiled.table = rule.table;
    compiled.route = convert(rule.route);
    compiled.max_replica_lag_ms = rule.max_replica_lag_ms;
    if (rule.consistency) compiled.consistency = convert(*rule.consistency);
    policy.rules.push_back(std::move(compiled));
  }
  return policy;
}

std::vector<std::string> sections_needing_restart(const config::Config& running, const config::Config& loaded) {
  std::vector<std::string> out;
  const auto& a = running;
  const auto& b = loaded;
  if (a.proxy.listen_address != b.proxy.listen_address || a.proxy.listen_port != b.proxy.listen_port ||
      a.proxy.worker_threads != b.proxy.worker_threads || a.proxy.max_packet_size != b.proxy.max_packet_size ||
      a.proxy.server_version != b.proxy.server_version ||
      a.proxy.max_client_connections != b.proxy.max_client_connections ||
      a.proxy.caching_sha2_password_private_key_path != b.proxy.caching_sha2_password_private_key_path) {
    out.emplace_back("[proxy]");
  }
  if (a.timeouts.connect_timeout_ms != b.timeouts.connect_timeout_ms ||
      a.timeouts.handshake_timeout_ms != b.timeouts.handshake_timeout_ms ||
      a.timeouts.client_idle_timeout_ms != b.timeouts.client_idle_timeout_ms ||
      a.timeouts.shutdown_timeout_ms != b.timeouts.shutdown_timeout_ms) {
    out.emplace_back("[timeouts]");
  }
  if (a.pool.max_connections_per_backend != b.pool.max_connections_per_backend ||
      a.pool.min_idle_connections != b.pool.min_idle_connections || a.pool.idle_timeout_ms != b.pool.idle_timeout_ms ||
      a.pool.acquire_timeout_ms != b.pool.acquire_timeout_ms ||
      a.pool.max_statements_per_connection != b.pool.max_statements_per_connection) {
    out.emplace_back("[pool] (all but multiplexing)");
  }
  if (a.backend_tls.mode != b.backend_tls.mode || a.backend_tls.ca != b.backend_tls.ca ||
      a.backend_tls.certificate != b.backend_tls.certificate || a.backend_tls.private_key != b.backend_tls.private_key) {
    out.emplace_back("[backend_tls]");
  }
  if (a.routing.max_replica_lag_ms != b.routing.max_replica_lag_ms ||
      a.routing.readmit_replica_lag_ms != b.routing.readmit_replica_lag_ms ||
      a.routing.replica_retry_interval_ms != b.routing.replica_retry_interval_ms) {
    out.emplace_back("routing.max_replica_lag_ms / readmit_replica_lag_ms / replica_retry_interval_ms");
  }
  if (a.monitor.enabled != b.monitor.enabled || a.monitor.interval_ms != b.monitor.interval_ms ||
      a.monitor.user != b.monitor.user || a.monitor.password != b.monitor.password ||
      a.monitor.heartbeat != b.monitor.heartbeat || a.monitor.heartbeat_table != b.monitor.heartbeat_table ||
      a.monitor.follow_writer != b.monitor.follow_writer) {
    out.emplace_back("[monitor]");
  }
  if (a.metrics.enabled != b.metrics.enabled || a.metrics.listen_address != b.metrics.listen_address ||
      a.metrics.listen_port != b.metrics.listen_port || a.metrics.top_digests != b.metrics.top_digests) {
    out.emplace_back("[metrics]");
  }
  if (a.admin.enabled != b.admin.enabled || a.admin.listen_address != b.admin.listen_address ||
      a.admin.listen_port != b.admin.listen_port) {
    out.emplace_back("[admin] (the listener; [[admin_users]] take effect at once)");
  }
  return out;
}

}  // namespace rwproxy::server
