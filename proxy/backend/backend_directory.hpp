// Every backend the proxy has known since it started, each at a fixed slot: the index that the
// pools, the metrics, the monitor and the routing snapshot use for it. Slots are only added (a
// reload that adds a backend, or changes one's address, takes a new slot; a removed backend's
// slot stays, unused, and is taken again if the same backend comes back), so a slot number held
// by a session never names another server. Entries are immutable once added: any thread reads
// them without a lock.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "proxy/config/config.hpp"

namespace rwproxy::backend {

struct BackendSlot {
  std::size_t slot = 0;
  std::string name;
  std::string host;
  std::uint16_t port = 0;
  config::BackendTlsMode tls_mode = config::BackendTlsMode::disabled;
  bool same_server(const config::Backend& b, config::BackendTlsMode mode) const {
    return name == b.name && host == b.host && port == b.port && tls_mode == mode;
  }
};

class BackendDirectory {
 public:
  // Slots 0 .. n-1: the config's backends in file order.
  explicit BackendDirectory(const config::Config& config);
  BackendDirectory(const BackendDirectory&) = delete;
  BackendDirectory& operator=(const BackendDirectory&) = delete;

  // The slot of `backend` (same name, host, port and TLS mode): an existing one, or a new one;
  // nullopt when config::max_backends slots are taken.
  std::optional<std::size_t> slot_for(const config::Backend& backend, config::BackendTlsMode mode);
  // slot < size().
  const BackendSlot& at(std::size_t slot) const { return *slots_[slot]; }
  std::size_t size() const { return size_.load(std::memory_order_acquire); }

 private:
  std::mutex add_mutex_;  // serialises slot_for
  std::array<std::unique_ptr<const BackendSlot>, config::max_backends> slots_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace rwproxy::backend
