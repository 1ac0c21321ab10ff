// The proxy's Prometheus endpoint as the tests see it: find its port in the proxy log, GET
// /metrics over a plain socket, and look samples up by name and labels.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/support/proxy_process.hpp"

namespace rwproxy::test {

using Labels = std::map<std::string, std::string>;

struct MetricSample {
  std::string name;
  Labels labels;
  double value = 0;
};

// One scrape, parsed (comment lines skipped).
class MetricsText {
 public:
  static MetricsText parse(std::string_view text);

  // The sample named `name` whose labels include every one of `labels`; nullopt if none does
  // (the first one if several do).
  std::optional<double> value(std::string_view name, const Labels& labels = {}) const;
  // The sum over every such sample (0 if none).
  double sum(std::string_view name, const Labels& labels = {}) const;
  const std::vector<MetricSample>& samples() const { return samples_; }

 private:
  std::vector<MetricSample> samples_;
};

// The body of GET `path` (HTTP/1.0, read until the server closes); throws std::runtime_error on a
// connect failure, a timeout or a status other than 200.
std::string http_get(std::uint16_t port, std::string_view path, std::chrono::milliseconds timeout);

MetricsText scrape_metrics(std::uint16_t port);

}  // namespace rwproxy::test
