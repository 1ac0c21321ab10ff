// config/rwproxy.toml is the documentation of the format: it must load, fit the local
// topology, name every key the loader accepts (and no other), and comment every key.
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include "problem_matchers.hpp"
#include "proxy/config/config_loader.hpp"

namespace rwproxy::config {
namespace {

constexpr const char* example_path = RWPROXY_EXAMPLE_CONFIG;

std::set<std::string> keys_in_example() {
  const toml::table document = toml::parse_file(example_path);
  std::set<std::string> keys;
  for (auto&& [section, node] : document) {
    const std::string name(section.str());
    if (const toml::table* table = node.as_table()) {
      for (auto&& [key, value] : *table) keys.insert(name + "." + std::string(key.str()));
    } else if (const toml::array* array = node.as_array()) {
      for (const toml::node& element : *array) {
        for (auto&& [key, value] : *element.as_table()) {
          keys.insert(name + "[]." + std::string(key.str()));
        }
      }
    } else {
      keys.insert(name);
    }
  }
  return keys;
}

TEST(ExampleConfigTest, IsValid) {
  const LoadResult result = load_config_file(example_path);
  ASSERT_TRUE(result.ok()) << testing::describe(result);
}

TEST(ExampleConfigTest, FitsTheLocalTopology) {
  const LoadResult result = load_config_file(example_path);
  ASSERT_TRUE(result.ok()) << testing::describe(result);
  const Config& config = *result.config;
  ASSERT_NE(config.master(), nullptr);
  EXPECT_EQ(config.master()->host, "127.0.0.1");
  EXPECT_EQ(config.master()->port, 23306);
  const std::vector<const Backend*> replicas = config.replicas();
  ASSERT_EQ(replicas.size(), 2u);
  EXPECT_EQ(replicas[0]->port, 23307);
  EXPECT_EQ(replicas[1]->port, 23308);
  ASSERT_NE(config.find_user("app"), nullptr);
  EXPECT_EQ(config.find_user("app")->password, "app-secret");
  EXPECT_EQ(config.proxy.listen_port, 6033);
  // The sample rule sends the app's reads of rwtest's reports table to the replicas.
  ASSERT_FALSE(config.rules.empty());
  const Rule& reports = config.rules[0];
  EXPECT_EQ(reports.user, "app");
  EXPECT_EQ(reports.schema, "rwtest");
  EXPECT_EQ(reports.table, "reports");
  EXPECT_EQ(reports.route, RuleRoute::replica);
}

TEST(ExampleConfigTest, NamesExactlyTheKnownKeys) {
  const std::vector<std::string> known = known_keys();
  const std::set<std::string> accepted(known.begin(), known.end());
  EXPECT_EQ(accepted.size(), known.size()) << "known_keys() lists a key twice";
  const std::set<std::string> documented = keys_in_example();
  for (const std::string& key : accepted) {
    EXPECT_TRUE(documented.count(key)) << key << " is accepted but not in " << example_path;
  }
  for (const std::string& key : documented) {
    EXPECT_TRUE(accepted.count(key)) << key << " is in " << example_path << " but not accepted";
  }
}

bool is_key_line(const std::string& line) {
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string::npos || line[start] == '#' || line[start] == '[') return false;
  return line.find('=') != std::string::npos;
}

bool is_comment_line(const std::string& line) {
  const auto start = line.find_first_not_of(" \t");
  return start != std::string::npos && line[start] == '#';
}

TEST(ExampleConfigTest, EveryKeyHasACommentAboveIt) {
  std::ifstream in(example_path);
  ASSERT_TRUE(in) << example_path;
  std::string previous;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (is_key_line(line)) {
      EXPECT_TRUE(is_comment_line(previous))
          << example_path << ":" << number << ": no comment above \"" << line << "\"";
    }
    previous = line;
  }
}

}  // namespace
}  // namespace rwproxy::config
