// Builds every rwproxy_* metric family at scrape time (a prometheus-cpp Collectable).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <chrono>

#include "metrics/exporter.hpp"
#include "metrics/proxy_metrics.hpp"

namespace rwproxy::metrics {

class MetricsCollector : public prometheus::Collectable {
 public:
  MetricsCollector(ExporterSettings settings, const ProxyMetrics& metrics, const ScrapeSource& source);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  void add_process(std::vector<prometheus::MetricFamily>& out) const;
  void add_backends(std::vector<prometheus::MetricFamily>& out) const;
  void add_routing(std::vector<prometheus::MetricFamily>& out) const;
  void add_clients(std::vector<prometheus::MetricFamily>& out) const;
  void add_digests(std::vector<prometheus::MetricFamily>& out) const;

  ExporterSettings settings_;
  const ProxyMetrics& metrics_;
  const ScrapeSource& source_;
  double start_time_seconds_;
};

}  // namespace rwproxy::metrics
