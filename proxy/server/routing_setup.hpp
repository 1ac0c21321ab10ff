// Turns the [routing] and [[rules]] config into the router's RoutingPolicy (regexes compiled once).
#pragma once

#include "proxy/config/config.hpp"
#include "router/routing_policy.hpp"

namespace rwproxy::server {

router::RoutingPolicy make_routing_policy(const config::Config& config);

}  // namespace rwproxy::server
