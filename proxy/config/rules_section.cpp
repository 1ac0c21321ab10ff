// [[rules]]: routing rules, tried in file order before the default routing; the first rule
// whose matchers all match a statement decides. Statements only the master may run (writes,
// locking reads, ...) and comment hints are decided before any rule.
#include <regex>

#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/key_suggestion.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

constexpr std::int64_t one_day_ms = 86400000;

constexpr Choice<RuleRoute> routes[] = {
    {"master", RuleRoute::master},
    {"replica", RuleRoute::replica},
    {"any", RuleRoute::any},
};

// Compiled only to check it: Config holds the text, the router compiles its own.
void read_digest_regex(ValueReader& value, Rule& rule) {
  const auto text = value.string_value();
  if (!text) return;
  if (text->empty()) {
    value.report("must not be empty");
    return;
  }
  try {
    const std::regex compiled(text->begin(), text->end(), std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    value.report(fmt::format("not a valid ECMAScript regular expression: {}", error.what()));
    return;
  }
  rule.digest_regex = std::string(*text);
}

// "name" or "schema.name", neither part empty.
void read_table(ValueReader& value, Rule& rule) {
  const auto text = value.string_value();
  if (!text) return;
  const auto dot = text->find('.');
  const bool well_formed =
      !text->empty() &&
      (dot == std::string_view::npos ||
       (dot > 0 && dot + 1 < text->size() && text->find('.', dot + 1) == std::string_view::npos));
  if (!well_formed) {
    value.report(fmt::format(R"(must be "name" or "schema.name" (got "{}"))", *text));
    return;
  }
  rule.table = std::string(*text);
}

constexpr Field<Rule> rule_fields[] = {
    {"name", [](ValueReader& v, Rule& r) { v.read_non_empty_string(r.name); }, true},
    {"digest", [](ValueReader& v, Rule& r) { v.read_optional_non_empty_string(r.digest); }},
    {"digest_regex", &read_digest_regex},
    {"user", [](ValueReader& v, Rule& r) { v.read_optional_non_empty_string(r.user); }},
    {"schema", [](ValueReader& v, Rule& r) { v.read_optional_non_empty_string(r.schema); }},
    {"table", &read_table},
    {"route", [](ValueReader& v, Rule& r) { v.read_choice(routes, r.route); }, true},
    {"max_replica_lag_ms",
     [](ValueReader& v, Rule& r) { v.read_optional_integer<1, one_day_ms>(r.max_replica_lag_ms); }},
    {"consistency",
     [](ValueReader& v, Rule& r) {
       Consistency mode{};
       if (v.read_choice(consistency_modes, mode)) r.consistency = mode;
     }},
};

constexpr std::string_view matcher_keys[] = {"digest", "digest_regex", "user", "schema", "table"};

// Judged on the keys present, so a matcher with a bad value is reported only once.
void check_has_matcher(const toml::table& table, std::string_view path, Problems& problems) {
  for (std::string_view key : matcher_keys) {
    if (table.contains(key)) return;
  }
  problems.push_back({std::string(path),
                      "a rule needs at least one matcher: digest, digest_regex, user, schema or "
                      "table (none is set)",
                      {}});
}

void read_rule(const toml::table& table, std::string_view path, Config& config,
               Problems& problems) {
  Rule rule;
  read_fields(table, path, rule_fields, rule, problems);
  check_has_matcher(table, path, problems);
  config.rules.push_back(std::move(rule));
}

void check_unique_name(const std::vector<Rule>& rules, std::size_t i, Problems& problems) {
  if (rules[i].name.empty()) return;
  for (std::size_t j = 0; j < i; ++j) {
    if (rules[i].name != rules[j].name) continue;
    problems.push_back({child_path(element_path("rules", i), "name"),
                        fmt::format("duplicate rule name \"{}\" (also rules[{}])", rules[i].name,
                                    j),
                        {}});
    return;
  }
}

// Only configured users can log in, so a rule for any other name could never match.
// Skipped when [[users]] has problems of its own (a name may be missing from config.users).
void check_user_exists(const Config& config, std::size_t i, bool users_valid,
                       Problems& problems) {
  const Rule& rule = config.rules[i];
  if (!rule.user || !users_valid || config.find_user(*rule.user) != nullptr) return;
  std::vector<std::string_view> names;
  for (const User& user : config.users) names.push_back(user.name);
  std::string message = fmt::format("no [[users]] entry is named \"{}\", so the rule could never "
                                    "match",
                                    *rule.user);
  if (const auto suggestion = closest_key(*rule.user, names)) {
    message += fmt::format(" (did you mean \"{}\"?)", *suggestion);
  }
  problems.push_back({child_path(element_path("rules", i), "user"), std::move(message), {}});
}

bool users_valid(const Problems& problems) {
  for (const ConfigProblem& problem : problems) {
    if (problem.key_path.starts_with("users")) return false;
  }
  return true;
}

void validate_rules(const Config& config, Problems& problems) {
  const bool users_ok = users_valid(problems);
  for (std::size_t i = 0; i < config.rules.size(); ++i) {
    check_unique_name(config.rules, i, problems);
    check_user_exists(config, i, users_ok, problems);
  }
}

}  // namespace

Section rules_section() {
  return {"rules", SectionShape::array_of_tables, [] { return field_keys(rule_fields); },
          &read_rule, &validate_rules};
}

}  // namespace rwproxy::config
