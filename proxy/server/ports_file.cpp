#include "proxy/server/ports_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace rwproxy::server {

std::string format_bound_ports(const BoundPorts& ports) {
  std::string text = fmt::format("listen_port={}\n", ports.listen_port);
  if (ports.metrics_port) text += fmt::format("metrics_port={}\n", *ports.metrics_port);
  if (ports.admin_port) text += fmt::format("admin_port={}\n", *ports.admin_port);
  return text;
}

std::string write_ports_file(const std::string& path, const BoundPorts& ports) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << format_bound_ports(ports);
    out.flush();
    if (!out) return fmt::format("cannot write {}", temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return fmt::format("cannot rename {} to {}: {}", temporary, path, std::strerror(errno));
  }
  return {};
}

}  // namespace rwproxy::server
