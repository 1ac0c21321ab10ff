// What ctest hands the integration tests through the environment (see ../CMakeLists.txt).
#pragma once

#include <filesystem>
#include <string>

namespace rwproxy::test {

// The value of an environment variable that must be set; throws std::runtime_error naming it.
std::string required_env(const char* name);

// A path for a test artifact (proxy config, proxy log, infile data) under $RWPROXY_TEST_LOG_DIR
// (the build dir), falling back to the system temp dir. The directory is created.
std::filesystem::path artifact_path(const std::string& file_name);

// "<Suite>.<Test>" of the running gtest test, "no-test" outside of one; safe as a file name.
std::string current_test_name();

}  // namespace rwproxy::test
