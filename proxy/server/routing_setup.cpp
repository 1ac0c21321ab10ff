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

}  // namespace

router::RoutingPolicy make_routing_policy(const config::Config& config) {
  router::RoutingPolicy policy;
  policy.read_after_write_window = std::chrono::milliseconds(config.routing.read_after_write_window_ms);
  policy.max_replica_lag_ms = config.routing.max_replica_lag_ms;
  policy.error_when_no_replica = config.routing.no_eligible_replica == config::NoReplicaAction::error;
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
    policy.rules.push_back(std::move(compiled));
  }
  return policy;
}

}  // namespace rwproxy::server
