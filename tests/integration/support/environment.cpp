#include "tests/integration/support/environment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace rwproxy::test {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string("environment variable ") + name +
                             " is not set (run the integration tests through ctest)");
  }
  return value;
}

std::filesystem::path artifact_path(const std::string& file_name) {
  const char* configured = std::getenv("RWPROXY_TEST_LOG_DIR");
  std::filesystem::path dir = configured != nullptr && *configured != '\0'
                                  ? std::filesystem::path(configured)
                                  : std::filesystem::temp_directory_path() / "rwproxy-integration";
  std::filesystem::create_directories(dir);
  return dir / file_name;
}

std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "no-test";
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

}  // namespace rwproxy::test
