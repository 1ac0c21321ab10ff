// Serves the metrics in Prometheus' text format (prometheus-cpp's Exposer) and builds every
// family at scrape time from the workers' counters and the proxy's state.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "metrics/proxy_metrics.hpp"

namespace prometheus {
class Exposer;
}

namespace rwproxy::metrics {

struct ExporterSettings {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 9187;
  std::size_t top_digests = 50;
  std::string version;
};

class MetricsCollector;

class MetricsExporter {
 public:
  // Throws std::runtime_error when the address can't be bound (reported by main).
  MetricsExporter(const ExporterSettings& settings, const ProxyMetrics& metrics, const ScrapeSource& source);
  ~MetricsExporter();

  std::uint16_t port() const;

 private:
  std::shared_ptr<MetricsCollector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace rwproxy::metrics
