#include "proxy/config/config_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "proxy/config/field_table.hpp"
#include "proxy/config/section.hpp"

namespace rwproxy::config {
namespace {

ConfigProblem syntax_problem(const toml::parse_error& error) {
  const toml::source_position& at = error.source().begin;
  return {"",
          fmt::format("TOML syntax error at line {}, column {}: {}", at.line, at.column,
                      error.description()),
          {}};
}

std::optional<toml::table> parse_document(std::string_view text, std::string_view source,
                                          Problems& problems) {
#if TOML_EXCEPTIONS
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    problems.push_back(syntax_problem(error));
    return std::nullopt;
  }
#else
  toml::parse_result result = toml::parse(text, source);
  if (!result) {
    problems.push_back(syntax_problem(result.error()));
    return std::nullopt;
  }
  return std::move(result).table();
#endif
}

void report_shape(std::string path, std::string_view expected, const toml::node& node,
                  Problems& problems) {
  problems.push_back(
      {std::move(path), fmt::format("expected {}, got {}", expected, describe(node.type())), {}});
}

// These return whether the section had the right shape, so its whole-section rules apply.
bool read_table_section(const Section& section, const toml::node& node, Config& config,
                        Problems& problems) {
  const std::string name(section.name);
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    report_shape(name, fmt::format("a table ([{}])", name), node, problems);
    return false;
  }
  section.read(*table, name, config, problems);
  return true;
}

bool read_array_section(const Section& section, const toml::node& node, Config& config,
                        Problems& problems) {
  const std::string name(section.name);
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    report_shape(name, fmt::format("an array of tables ([[{}]])", name), node, problems);
    return false;
  }
  bool well_formed = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string path = element_path(name, i);
    if (const toml::table* table = (*array)[i].as_table()) {
      section.read(*table, path, config, problems);
    } else {
      report_shape(path, "a table", (*array)[i], problems);
      well_formed = false;
    }
  }
  return well_formed;
}

bool read_section(const Section& section, const toml::node& node, Config& config,
                  Problems& problems) {
  return section.shape == SectionShape::table
             ? read_table_section(section, node, config, problems)
             : read_array_section(section, node, config, problems);
}

void read_document(const toml::table& document, Config& config, Problems& problems) {
  const std::vector<Section> sections = all_sections();
  std::vector<std::string_view> names;
  for (const Section& section : sections) names.push_back(section.name);

  std::vector<bool> well_formed(sections.size(), true);
  for (auto&& [key, node] : document) {
    const auto found = std::find(names.begin(), names.end(), key.str());
    if (found == names.end()) {
      report_unknown_key(std::string(key.str()), key.str(), names, problems);
      continue;
    }
    const auto index = static_cast<std::size_t>(found - names.begin());
    well_formed[index] = read_section(sections[index], node, config, problems);
  }
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (well_formed[i] && sections[i].validate != nullptr) sections[i].validate(config, problems);
  }
}

LoadResult load_document(std::string_view text, std::string_view source_name) {
  Problems problems;
  Config config;
  if (const auto document = parse_document(text, source_name, problems)) {
    read_document(*document, config, problems);
  }
  if (!problems.empty()) return {std::nullopt, std::move(problems)};
  return {std::move(config), {}};
}

LoadResult failure(std::string message, std::string_view source_name) {
  return {std::nullopt, {{"", std::move(message), std::string(source_name)}}};
}

}  // namespace

LoadResult load_config_string(std::string_view toml, std::string_view source_name) {
  LoadResult result;
  try {
    result = load_document(toml, source_name);
  } catch (const std::exception& error) {
    return failure(fmt::format("internal error while loading: {}", error.what()), source_name);
  }
  for (ConfigProblem& problem : result.problems) problem.source = std::string(source_name);
  return result;
}

LoadResult load_config_file(const std::string& path) {
  std::string text;
  try {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
      return failure("cannot read: is a directory", path);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return failure(fmt::format("cannot read: {}", std::generic_category().message(errno)), path);
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return failure("cannot read: I/O error", path);
  } catch (const std::exception& error) {
    return failure(fmt::format("cannot read: {}", error.what()), path);
  }
  return load_config_string(text, path);
}

std::vector<std::string> known_keys() {
  std::vector<std::string> keys;
  for (const Section& section : all_sections()) {
    const bool is_array = section.shape == SectionShape::array_of_tables;
    for (std::string_view key : section.keys()) {
      keys.push_back(fmt::format("{}{}.{}", section.name, is_array ? "[]" : "", key));
    }
  }
  return keys;
}

}  // namespace rwproxy::config
