// rwproxy entry point: --config FILE [--ports-file FILE], --check-config FILE, --explain FILE, --version.
#include <cstdio>
#include <string>
#include <string_view>

#include <fstream>
#include <iostream>

#include "proxy/config/config_loader.hpp"
#include "proxy/net/tls_context.hpp"
#include "proxy/protocol/caching_sha2.hpp"
#include "proxy/explain/explain_file.hpp"
#include "proxy/server/routing_setup.hpp"
#include "proxy/server/proxy_server.hpp"
#include "proxy/server/file_limit.hpp"
#include "proxy/util/logger.hpp"

namespace {

constexpr std::string_view usage =
    "usage: rwproxy --config FILE [--log-level debug|info|warning|error] [--ports-file FILE]\n"
    "       rwproxy --check-config FILE\n"
    "       rwproxy --config FILE --explain STATEMENTS_FILE   (one statement per line, or a general query log;\n"
    "                                                     replayed session by session)\n"
    "       rwproxy --version\n";

struct Options {
  std::string config_path;
  std::string explain_path;
  std::string ports_file;
  bool check_only = false;
  bool version = false;
  rwproxy::LogLevel log_level = rwproxy::LogLevel::info;
};

bool parse_level(std::string_view name, rwproxy::LogLevel& level) {
  if (name == "debug") level = rwproxy::LogLevel::debug;
  else if (name == "info") level = rwproxy::LogLevel::info;
  else if (name == "warning") level = rwproxy::LogLevel::warning;
  else if (name == "error") level = rwproxy::LogLevel::error;
  else return false;
  return true;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--version") {
      options.version = true;
    } else if (arg == "--config" || arg == "--check-config") {
      const char* path = value();
      if (!path) return false;
      options.config_path = path;
      options.check_only = arg == "--check-config";
    } else if (arg == "--explain") {
      const char* path = value();
      if (!path) return false;
      options.explain_path = path;
    } else if (arg == "--ports-file") {
      const char* path = value();
      if (!path) return false;
      options.ports_file = path;
    } else if (arg == "--log-level") {
      const char* name = value();
      if (!name || !parse_level(name, options.log_level)) return false;
    } else {
      return false;
    }
  }
  return options.version || !options.config_path.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fputs(usage.data(), stderr);
    return 2;
  }
  if (options.version) {
    std::printf("rwproxy %s\n", RWPROXY_VERSION);
    return 0;
  }
  auto loaded = rwproxy::config::load_config_file(options.config_path);
  if (!loaded.problems.empty()) {
    std::fputs(rwproxy::config::format_problems(loaded.problems).c_str(), stderr);
    return 1;
  }
  if (!options.explain_path.empty()) {
    std::ifstream statements(options.explain_path);
    if (!statements) {
      std::fprintf(stderr, "rwproxy: cannot read %s\n", options.explain_path.c_str());
      return 1;
    }
    auto summary = rwproxy::explain::explain_file(statements, std::cout,
                                                  rwproxy::server::make_routing_policy(*loaded.config), *loaded.config);
    std::fprintf(stderr, "%zu statement(s) in %zu session(s): %zu to the master, %zu to a replica, %zu refused, "
                 "%zu answered by the proxy\n",
                 summary.statements, summary.sessions, summary.to_master, summary.to_replica, summary.errors,
                 summary.not_routed);
    return 0;
  }
  {
    // The [tls] files and the RSA key are part of the configuration: a file that cannot be used
    // stops the start (and --check-config) like any other config problem.
    std::vector<rwproxy::config::ConfigProblem> problems;
    rwproxy::net::make_server_tls_context(loaded.config->tls, problems);
    rwproxy::net::make_backend_tls_contexts(*loaded.config, problems);
    const std::string& rsa_key = loaded.config->proxy.caching_sha2_password_private_key_path;
    if (!rsa_key.empty()) {
      if (auto problem = rwproxy::protocol::RsaKeyPair(rsa_key).load()) {
        problems.push_back({"proxy.caching_sha2_password_private_key_path", *problem, {}});
      }
    }
    if (!problems.empty()) {
      for (auto& problem : problems) problem.source = options.config_path;
      std::fputs(rwproxy::config::format_problems(problems).c_str(), stderr);
      return 1;
    }
  }
  if (options.check_only) {
    std::printf("%s: configuration is valid\n", options.config_path.c_str());
    return 0;
  }
  rwproxy::Logger logger(options.log_level);
  const rwproxy::server::FileLimit files = rwproxy::server::raise_file_limit();
  const std::string files_line = rwproxy::server::describe_file_limit(files, *loaded.config);
  if (rwproxy::server::clients_allowed(files.now, *loaded.config) < loaded.config->proxy.max_client_connections) {
    logger.warn("{}", files_line);
  } else {
    logger.info("{}", files_line);
  }
  rwproxy::server::ProxyServer server(*loaded.config, options.config_path, logger, options.ports_file);
  return server.run();
}
