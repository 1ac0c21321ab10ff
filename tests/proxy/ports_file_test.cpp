#include "proxy/server/ports_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rwproxy::server {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(PortsFileTest, ListsTheMetricsPortOnlyWhenServed) {
  EXPECT_EQ(format_bound_ports(BoundPorts{6033, 9187}), "listen_port=6033\nmetrics_port=9187\n");
  EXPECT_EQ(format_bound_ports(BoundPorts{41000, std::nullopt}), "listen_port=41000\n");
}

TEST(PortsFileTest, ReplacesTheFileWhole) {
  const auto path = std::filesystem::temp_directory_path() / "rwproxy_ports_file_test.ports";
  std::ofstream(path) << "stale content that is longer than the new one\n";
  EXPECT_EQ(write_ports_file(path.string(), BoundPorts{1234, 5678}), "");
  EXPECT_EQ(read_all(path), "listen_port=1234\nmetrics_port=5678\n");
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  std::filesystem::remove(path);
}

TEST(PortsFileTest, AnUnwritableDirectoryIsReported) {
  const std::string problem = write_ports_file("/nonexistent-dir/rwproxy.ports", BoundPorts{1, 2});
  EXPECT_NE(problem.find("/nonexistent-dir/rwproxy.ports"), std::string::npos) << problem;
}

}  // namespace
}  // namespace rwproxy::server
