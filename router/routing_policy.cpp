#include "router/routing_policy.hpp"

#include <algorithm>

#include "parser/char_class.hpp"

namespace rwproxy::router {

std::string_view to_string(Consistency mode) {
  switch (mode) {
    case Consistency::window: return "window";
    case Consistency::causal: return "causal";
    case Consistency::none: return "none";
  }
  return "unknown";
}

namespace {

using parser::chars::iequals;

// An unqualified table reference is in the session's current schema.
bool table_matches(const std::string& wanted, const std::vector<parser::TableRef>& tables,
                   std::string_view current_schema) {
  const auto dot = wanted.find('.');
  for (const parser::TableRef& t : tables) {
    const std::string_view table_schema = t.schema.empty() ? current_schema : std::string_view(t.schema);
    if (dot == std::string::npos) {
      if (iequals(t.name, wanted)) return true;
    } else if (iequals(table_schema, std::string_view(wanted).substr(0, dot)) &&
               iequals(t.name, std::string_view(wanted).substr(dot + 1))) {
      return true;
    }
  }
  return false;
}

bool rule_matches(const Rule& rule, const parser::StatementInfo& info, std::string_view digest_text,
                  std::string_view user, std::string_view schema) {
  if (rule.user && *rule.user != user) return false;
  if (rule.schema && !iequals(*rule.schema, schema)) return false;
  if (rule.table && !table_matches(*rule.table, info.tables, schema)) return false;
  if (rule.digest && *rule.digest != digest_text) return false;
  if (rule.digest_regex && !std::regex_search(digest_text.begin(), digest_text.end(), *rule.digest_regex)) {
    return false;
  }
  return true;
}

}  // namespace

bool RoutingPolicy::rules_need_digest() const {
  return std::any_of(rules.begin(), rules.end(), [](const Rule& r) { return r.needs_digest(); });
}

std::optional<std::size_t> match_rule(const std::vector<Rule>& rules, const parser::StatementInfo& info,
                                      std::string_view digest_text, std::string_view user, std::string_view schema) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rule_matches(rules[i], info, digest_text, user, schema)) return i;
  }
  return std::nullopt;
}

}  // namespace rwproxy::router
