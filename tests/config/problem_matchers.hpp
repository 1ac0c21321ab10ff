// Test helpers: find a problem by key path and message text.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "proxy/config/config_loader.hpp"

namespace rwproxy::config::testing {

inline bool has_problem(const LoadResult& result, std::string_view key_path,
                        std::string_view message_part) {
  return std::any_of(result.problems.begin(), result.problems.end(), [&](const auto& p) {
    return p.key_path == key_path && p.message.find(message_part) != std::string::npos;
  });
}

inline std::string describe(const LoadResult& result) {
  return result.problems.empty() ? "no problems" : format_problems(result.problems);
}

// A valid config to which tests append or in which they replace parts.
inline constexpr std::string_view minimal_backends = R"(
[[backends]]
role = "master"
port = 3306
)";

inline constexpr std::string_view minimal_users = R"(
[[users]]
name = "app"
password = "secret"
)";

inline LoadResult load(std::string_view text) { return load_config_string(text, "test.toml"); }

// `extra` goes first, so it may hold top-level keys as well as sections.
inline LoadResult load_with_minimal(std::string_view extra) {
  return load(std::string(extra) + std::string(minimal_backends) + std::string(minimal_users));
}

}  // namespace rwproxy::config::testing

#define EXPECT_PROBLEM(result, key_path, message_part)                         \
  EXPECT_TRUE(::rwproxy::config::testing::has_problem(result, key_path, message_part)) \
      << ::rwproxy::config::testing::describe(result)
