#include "proxy/config/field_table.hpp"

#include <fmt/format.h>

#include "proxy/config/key_suggestion.hpp"

namespace rwproxy::config {

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string element_path(std::string_view array, std::size_t index) {
  return fmt::format("{}[{}]", array, index);
}

bool has_problem_at(const Problems& problems, std::string_view key_path) {
  for (const ConfigProblem& problem : problems) {
    if (problem.key_path == key_path) return true;
  }
  return false;
}

void report_unknown_key(std::string key_path, std::string_view key,
                        std::span<const std::string_view> known, Problems& problems) {
  std::string message = "unknown key";
  if (const auto suggestion = closest_key(key, known)) {
    message += fmt::format(" (did you mean \"{}\"?)", *suggestion);
  }
  problems.push_back({std::move(key_path), std::move(message), {}});
}

}  // namespace rwproxy::config
