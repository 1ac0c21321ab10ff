#include "proxy/config/section.hpp"

namespace rwproxy::config {

std::vector<Section> all_sections() {
  return {proxy_section(),      timeouts_section(), routing_section(),  pool_section(),
          tls_section(),        backend_tls_section(), monitor_section(), metrics_section(),
          admin_section(),      backends_section(), users_section(),    rules_section(),
          admin_users_section()};
}

}  // namespace rwproxy::config
