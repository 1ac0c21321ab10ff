// The [routing] settings the router applies, and the compiled [[rules]].
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "parser/statement_info.hpp"

namespace rwproxy::router {

enum class RuleRoute : std::uint8_t { master, replica, any };

// How a session's reads are kept from showing data older than its writes and tokens.
enum class Consistency : std::uint8_t {
  window,  // the read-after-write window; tokens and the monotonic floor by GTID position
  causal,  // the session's own writes by GTID position too
  none,    // no waits, no window: replicas may be behind
};

std::string_view to_string(Consistency mode);

struct Rule {
  std::string name;
  std::optional<std::string> digest;          // exact digest text
  std::optional<std::regex> digest_regex;     // searched in the digest text
  std::optional<std::string> user;
  std::optional<std::string> schema;
  std::optional<std::string> table;           // "name" or "schema.name" (an unqualified reference is in
                                              // the session's schema), compared case-insensitively
  RuleRoute route = RuleRoute::any;
  std::optional<std::uint32_t> max_replica_lag_ms;
  std::optional<Consistency> consistency;

  bool needs_digest() const { return digest || digest_regex; }
};

struct RoutingPolicy {
  std::chrono::milliseconds read_after_write_window{1000};
  std::uint32_t max_replica_lag_ms = 1000;
  bool error_when_no_replica = false;  // no_eligible_replica = "error"
  Consistency consistency = Consistency::window;
  bool monotonic_reads = true;
  // A read waits for a GTID position only on a replica lagging less than this (a replica further
  // behind would time out anyway): otherwise the master serves it at once.
  std::uint32_t causal_wait_timeout_ms = 500;
  std::vector<Rule> rules;

  bool rules_need_digest() const;
};

// Index of the first rule that matches, if any. `digest_text` may be empty when no rule needs it.
std::optional<std::size_t> match_rule(const std::vector<Rule>& rules, const parser::StatementInfo& info,
                                      std::string_view digest_text, std::string_view user, std::string_view schema);

}  // namespace rwproxy::router
