// Turns the [routing] and [[rules]] config into the router's RoutingPolicy (regexes compiled once).
#pragma once

#include <string>
#include <vector>

#include "proxy/config/config.hpp"
#include "router/routing_policy.hpp"

namespace rwproxy::server {

router::RoutingPolicy make_routing_policy(const config::Config& config);

// Sections whose changes a reload cannot apply to a running proxy (listeners, backends, ...).
std::vector<std::string> sections_needing_restart(const config::Config& running, const config::Config& loaded);

}  // namespace rwproxy::server
