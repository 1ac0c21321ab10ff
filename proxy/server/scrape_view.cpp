#include "proxy/server/scrape_view.hpp"

namespace rwproxy::server {

std::vector<metrics::BackendView> ScrapeView::backends() const {
  std::vector<metrics::BackendView> views;
  auto topology = health_.snapshot(std::chrono::steady_clock::now());
  for (std::size_t slot = 0; slot < topology->backends.size(); ++slot) {
    const backend::BackendStatus& b = topology->backends[slot];
    if (!b.present) continue;
    const router::ReplicaState& r = topology->routing.replicas[slot];
    metrics::BackendView view;
    view.slot = slot;
    view.name = r.name;
    view.role = std::string(backend::to_string(b.role));
    view.state = std::string(backend::to_string(b.admin));
    view.weight = b.weight;
    view.up = b.up;
    view.eligible = r.serving && r.up && r.lag_admitted;
    if (r.lag_ms) view.lag_seconds = *r.lag_ms / 1000.0;
    if (config_.monitor.enabled) {
      view.threads_running = monitor_.threads_running(slot);
      view.monitor_check = &monitor_.check_duration(slot);
    }
    views.push_back(std::move(view));
  }
  return views;
}

metrics::WriterView ScrapeView::writer() const {
  auto topology = health_.snapshot(std::chrono::steady_clock::now());
  metrics::WriterView view;
  view.problem = topology->problem;
  view.writable_backends = topology->writable.size();
  view.master_changes = health_.master_changes();
  return view;
}

}  // namespace rwproxy::server
