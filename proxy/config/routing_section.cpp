// [routing]: how reads are split between the master and the replicas.
#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr std::int64_t one_hour_ms = 3600000;
constexpr std::int64_t one_day_ms = 86400000;

constexpr Choice<NoReplicaAction> no_replica_actions[] = {
    {"master", NoReplicaAction::master},
    {"error", NoReplicaAction::error},
};

constexpr Field<Routing> routing_fields[] = {
    {"consistency", [](ValueReader& v, Routing& r) { v.read_choice(consistency_modes, r.consistency); }},
    {"causal_wait_timeout_ms",
     [](ValueReader& v, Routing& r) { v.read_integer<1, one_hour_ms>(r.causal_wait_timeout_ms); }},
    {"monotonic_reads", [](ValueReader& v, Routing& r) { v.read_bool(r.monotonic_reads); }},
    {"read_after_write_window_ms",  // 0 = off
     [](ValueReader& v, Routing& r) {
       v.read_integer<0, one_hour_ms>(r.read_after_write_window_ms);
     }},
    {"max_replica_lag_ms",
     [](ValueReader& v, Routing& r) { v.read_integer<1, one_day_ms>(r.max_replica_lag_ms); }},
    {"readmit_replica_lag_ms",
     [](ValueReader& v, Routing& r) { v.read_integer<1, one_day_ms>(r.readmit_replica_lag_ms); }},
    {"no_eligible_replica",
     [](ValueReader& v, Routing& r) { v.read_choice(no_replica_actions, r.no_eligible_replica); }},
    {"hints", [](ValueReader& v, Routing& r) { v.read_bool(r.hints); }},
    {"replica_retry_interval_ms",
     [](ValueReader& v, Routing& r) {
       v.read_integer<100, one_hour_ms>(r.replica_retry_interval_ms);
     }},
};

// Hysteresis needs readmit < max. Judged here, where it is known whether readmit was set,
// and only when both values were read without a problem.
void check_readmit_below_max(const toml::table& table, std::string_view path,
                             const Routing& routing, Problems& problems) {
  const std::string readmit_path = child_path(path, "readmit_replica_lag_ms");
  if (has_problem_at(problems, readmit_path) ||
      has_problem_at(problems, child_path(path, "max_replica_lag_ms")) ||
      routing.readmit_replica_lag_ms < routing.max_replica_lag_ms) {
    return;
  }
  std::string message =
      fmt::format("must be less than max_replica_lag_ms ({} >= {})",
                  routing.readmit_replica_lag_ms, routing.max_replica_lag_ms);
  if (!table.contains("readmit_replica_lag_ms")) {
    message += fmt::format("; {} is its default, so set it too when lowering max_replica_lag_ms",
                           routing.readmit_replica_lag_ms);
  }
  problems.push_back({readmit_path, std::move(message), {}});
}

void read_routing(const toml::table& table, std::string_view path, Config& config,
                  Problems& problems) {
  read_fields(table, path, routing_fields, config.routing, problems);
  check_readmit_below_max(table, path, config.routing, problems);
}

}  // namespace

Section routing_section() {
  return {"routing", SectionShape::table, [] { return field_keys(routing_fields); },
          &read_routing, nullptr};
}

}  // namespace rwproxy::config
