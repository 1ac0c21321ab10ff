// The settings a config reload (SIGHUP) may change while sessions run: users, [routing],
// [[rules]] and the [tls] certificates. Published as one immutable value; sessions check a version number per command
// (one relaxed atomic load) and take a new copy only when it changed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "proxy/config/config.hpp"
#include "proxy/session/user_directory.hpp"
#include "router/routing_policy.hpp"

namespace boost::asio::ssl {
class context;
}

namespace rwproxy::session {

struct ReloadableSettings {
  std::shared_ptr<const config::Config> config;  // users, routing, rules come from here
  std::shared_ptr<const router::RoutingPolicy> policy;
  std::shared_ptr<const UserDirectory> users;
  std::shared_ptr<const UserDirectory> admin_users;  // [[admin_users]]
  std::shared_ptr<boost::asio::ssl::context> tls;  // [tls] for clients; nullptr: TLS off
};

class LiveSettings {
 public:
  explicit LiveSettings(ReloadableSettings initial) : current_(std::move(initial)) {}

  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  ReloadableSettings current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void publish(ReloadableSettings next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
    version_.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  mutable std::mutex mutex_;
  ReloadableSettings current_;
  std::atomic<std::uint64_t> version_{1};
};

}  // namespace rwproxy::session
