#include "proxy/explain/replay_summary.hpp"

#include <cstdio>

#include "proxy/explain/route_explanation.hpp"

namespace rwproxy::explain {

namespace {

constexpr std::array<router::Target, 3> kTargets = {router::Target::master, router::Target::replica,
                                                    router::Target::error};

std::string percent(std::size_t part, std::size_t whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

}  // namespace

void ExplainFileSummary::add(const ReplayedStatement& statement) {
  if (!statement.routed) {
    ++not_routed;
    return;
  }
  const router::Route& route = statement.explanation.route;
  ++statements;
  ++routed[static_cast<std::size_t>(route.target)][static_cast<std::size_t>(route.reason)];
  switch (route.target) {
    case router::Target::master: ++to_master; break;
    case router::Target::replica: ++to_replica; break;
    case router::Target::error: ++errors; break;
  }
  if (statement.read) ++reads;
  if (route.target == router::Target::replica) ++reads_to_replica;
}

void write_summary(std::ostream& out, const ExplainFileSummary& summary) {
  out << "# " << summary.statements << " statement(s) in " << summary.sessions << " session(s); " << summary.reads
      << " read(s), " << summary.reads_to_replica << " of them (" << percent(summary.reads_to_replica, summary.reads)
      << ") to a replica\n";
  for (router::Target target : kTargets) {
    for (router::Reason reason : router::all_reasons()) {
      const std::size_t n = summary.count(target, reason);
      if (n > 0) out << "# " << target_name(target) << '\t' << router::to_string(reason) << '\t' << n << '\n';
    }
  }
  if (summary.not_routed > 0) out << "# proxy\t-\t" << summary.not_routed << '\n';
}

}  // namespace rwproxy::explain
