#include "metrics/exporter.hpp"

#include <prometheus/exposer.h>

#include "metrics/metrics_collector.hpp"

namespace rwproxy::metrics {

MetricsExporter::MetricsExporter(const ExporterSettings& settings, const ProxyMetrics& metrics,
                                 const ScrapeSource& source)
    : collector_(std::make_shared<MetricsCollector>(settings, metrics, source)),
      exposer_(std::make_unique<prometheus::Exposer>(settings.listen_address + ":" +
                                                     std::to_string(settings.listen_port))) {
  exposer_->RegisterCollectable(collector_);
}

MetricsExporter::~MetricsExporter() = default;

std::uint16_t MetricsExporter::port() const {
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
}

}  // namespace rwproxy::metrics
