#include "proxy/backend/backend_directory.hpp"

namespace rwproxy::backend {

BackendDirectory::BackendDirectory(const config::Config& config) {
  for (const config::Backend& backend : config.backends) slot_for(backend, config.tls_mode(backend));
}

std::optional<std::size_t> BackendDirectory::slot_for(const config::Backend& backend, config::BackendTlsMode mode) {
  std::lock_guard lock(add_mutex_);
  const std::size_t n = size_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < n; ++i) {
    if (slots_[i]->same_server(backend, mode)) return i;
  }
  if (n == slots_.size()) return std::nullopt;
  slots_[n] = std::make_unique<const BackendSlot>(BackendSlot{n, backend.name, backend.host, backend.port, mode});
  size_.store(n + 1, std::memory_order_release);
  return n;
}

}  // namespace rwproxy::backend
