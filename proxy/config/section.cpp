#include "proxy/config/section.hpp"

namespace rwproxy::config {

std::vector<Section> all_sections() {
  return {proxy_section(), timeouts_section(), backends_section(), users_section()};
}

}  // namespace rwproxy::config
