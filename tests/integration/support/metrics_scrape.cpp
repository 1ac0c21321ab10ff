#include "tests/integration/support/metrics_scrape.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/integration/support/raw_socket.hpp"

namespace rwproxy::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// `key="value",key2="value2"` (Prometheus escapes \\, \" and \n inside values).
Labels parse_labels(std::string_view text) {
  Labels labels;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto eq = text.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"') break;
    std::string key(text.substr(i, eq - i));
    std::string value;
    std::size_t j = eq + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        ++j;
        value += text[j] == 'n' ? '\n' : text[j];
      } else {
        value += text[j];
      }
    }
    labels[std::move(key)] = std::move(value);
    i = j + 1;
    if (i < text.size() && text[i] == ',') ++i;
  }
  return labels;
}

std::optional<MetricSample> parse_line(std::string_view line) {
  if (line.empty() || line.front() == '#') return std::nullopt;
  MetricSample sample;
  std::size_t value_start = 0;
  const auto brace = line.find('{');
  const auto space = line.find(' ');
  if (brace != std::string_view::npos && (space == std::string_view::npos || brace < space)) {
    const auto close = line.rfind('}');
    if (close == std::string_view::npos) return std::nullopt;
    sample.name = std::string(line.substr(0, brace));
    sample.labels = parse_labels(line.substr(brace + 1, close - brace - 1));
    value_start = close + 1;
  } else {
    if (space == std::string_view::npos) return std::nullopt;
    sample.name = std::string(line.substr(0, space));
    value_start = space;
  }
  const std::string value(line.substr(value_start));
  char* end = nullptr;
  sample.value = std::strtod(value.c_str(), &end);
  if (end == value.c_str()) return std::nullopt;
  return sample;
}

bool labels_match(const Labels& have, const Labels& want) {
  for (const auto& [key, value] : want) {
    auto it = have.find(key);
    if (it == have.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

MetricsText MetricsText::parse(std::string_view text) {
  MetricsText metrics;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (auto sample = parse_line(line)) metrics.samples_.push_back(std::move(*sample));
    start = end + 1;
  }
  return metrics;
}

std::optional<double> MetricsText::value(std::string_view name, const Labels& labels) const {
  for (const auto& sample : samples_) {
    if (sample.name == name && labels_match(sample.labels, labels)) return sample.value;
  }
  return std::nullopt;
}

double MetricsText::sum(std::string_view name, const Labels& labels) const {
  double total = 0;
  for (const auto& sample : samples_) {
    if (sample.name == name && labels_match(sample.labels, labels)) total += sample.value;
  }
  return total;
}

std::string http_get(std::uint16_t port, std::string_view path, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  int error = 0;
  UniqueFd fd = connect_tcp(port, &error);
  if (!fd) throw std::runtime_error("metrics: connect to port " + std::to_string(port) + ": " + std::strerror(error));
  const std::string request = "GET " + std::string(path) + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (!send_all(fd.get(), request)) throw std::runtime_error("metrics: sending the request failed");
  std::string response;
  char buffer[16384];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw std::runtime_error("metrics: no complete response within the timeout");
    pollfd entry{fd.get(), POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left));
    if (ready <= 0) continue;  // EINTR or the deadline, checked above
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  const auto body = response.find("\r\n\r\n");
  if (body == std::string::npos || response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) {
    throw std::runtime_error("metrics: malformed HTTP response: " + response.substr(0, 200));
  }
  if (response.compare(9, 3, "200") != 0) {
    throw std::runtime_error("metrics: " + response.substr(0, response.find("\r\n")));
  }
  return response.substr(body + 4);
}

MetricsText scrape_metrics(std::uint16_t port) { return MetricsText::parse(http_get(port, "/metrics", 5000ms)); }

}  // namespace rwproxy::test
