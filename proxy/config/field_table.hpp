// Internal to the loader: a section's keys as one constexpr table of Field<Target>.
// The same table reads a TOML table into Target and lists the section's known keys,
// so the loader cannot accept a key that known_keys() does not name, or the reverse.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "proxy/config/value_reader.hpp"

namespace rwproxy::config {

template <class Target>
struct Field {
  std::string_view key;
  void (*read)(ValueReader& value, Target& out);
  bool required = false;
};

// "proxy" + "listen_port" -> "proxy.listen_port"
std::string child_path(std::string_view parent, std::string_view key);
// "backends" + 2 -> "backends[2]"
std::string element_path(std::string_view array, std::size_t index);

// Whether a problem was already reported at exactly `key_path`; whole-section rules use it
// to stay quiet about a value that was invalid (and so left at its default).
bool has_problem_at(const Problems& problems, std::string_view key_path);

// Reports "unknown key", with a suggestion when a known key is spelled alike.
void report_unknown_key(std::string key_path, std::string_view key,
                        std::span<const std::string_view> known, Problems& problems);

template <class Target, std::size_t N>
std::vector<std::string_view> field_keys(const Field<Target> (&fields)[N]) {
  std::vector<std::string_view> keys;
  for (const Field<Target>& field : fields) keys.push_back(field.key);
  return keys;
}

template <class Target, std::size_t N>
const Field<Target>* find_field(const Field<Target> (&fields)[N], std::string_view key) {
  for (const Field<Target>& field : fields) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

// Reads every key of `table` (at key path `path`) into `out`; reports unknown keys,
// missing required keys and bad values.
template <class Target, std::size_t N>
void read_fields(const toml::table& table, std::string_view path,
                 const Field<Target> (&fields)[N], Target& out, Problems& problems) {
  for (auto&& [key, node] : table) {
    std::string key_path = child_path(path, key.str());
    const Field<Target>* field = find_field(fields, key.str());
    if (field == nullptr) {
      report_unknown_key(std::move(key_path), key.str(), field_keys(fields), problems);
      continue;
    }
    ValueReader value(node, std::move(key_path), problems);
    field->read(value, out);
  }
  for (const Field<Target>& field : fields) {
    if (field.required && !table.contains(field.key)) {
      problems.push_back({child_path(path, field.key), "missing required key", {}});
    }
  }
}

}  // namespace rwproxy::config
