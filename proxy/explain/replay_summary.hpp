// The totals of an --explain run, and the summary lines written after the statements:
//
//   # 12 statement(s) in 3 session(s); 8 read(s), 5 of them (62.5%) to a replica
//   # master	in_transaction	2
//   # master	write	3
//   # replica	read	5
//   # proxy	-	2
//
// one line per target and reason that occurred ("# target<TAB>reason<TAB>count", reasons by the
// router's names, as the `reason` label of rwproxy_routed_statements_total), in the order of the
// router's Reason enum. Target `error` counts reads refused with ERR 1105 (no_eligible_replica =
// "error"); `proxy` counts what the proxy answers itself and EXPLAIN ROUTE lines (not routed, not
// in the metrics). A read is a statement the classifier finds read-only.
#pragma once

#include <array>
#include <cstddef>
#include <ostream>

#include "proxy/explain/session_replay.hpp"
#include "router/reason.hpp"

namespace rwproxy::explain {

struct ExplainFileSummary {
  std::size_t statements = 0;  // routed to a backend, or refused (target error)
  std::size_t to_master = 0;
  std::size_t to_replica = 0;
  std::size_t errors = 0;      // target error: no_eligible_replica = "error" and no replica may serve
  std::size_t not_routed = 0;  // answered by the proxy itself, or EXPLAIN ROUTE
  std::size_t sessions = 0;    // log threads (a plain file is one session)
  std::size_t reads = 0;
  std::size_t reads_to_replica = 0;
  // [target][reason]: master, replica, error.
  std::array<std::array<std::size_t, router::reason_count>, 3> routed{};
  bool general_log = false;  // the input was read as a general query log

  std::size_t count(router::Target target, router::Reason reason) const {
    return routed[static_cast<std::size_t>(target)][static_cast<std::size_t>(reason)];
  }
  void add(const ReplayedStatement& statement);
};

void write_summary(std::ostream& out, const ExplainFileSummary& summary);

}  // namespace rwproxy::explain
