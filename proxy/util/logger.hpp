// A small thread-safe logger writing one line per event to stderr. Passed by reference.
#pragma once

#include <fmt/format.h>

#include <mutex>
#include <ostream>
#include <string_view>

namespace rwproxy {

enum class LogLevel { debug, info, warning, error };

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::info) : level_(level) {}
  // Lines go to `sink` instead of stderr (tests).
  Logger(LogLevel level, std::ostream& sink) : level_(level), sink_(&sink) {}

  bool enabled(LogLevel level) const { return level >= level_; }

  template <class... Args>
  void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
    if (!enabled(level)) return;
    write(level, fmt::format(format, std::forward<Args>(args)...));
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> f, Args&&... a) { log(LogLevel::debug, f, std::forward<Args>(a)...); }
  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) { log(LogLevel::info, f, std::forward<Args>(a)...); }
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... a) { log(LogLevel::warning, f, std::forward<Args>(a)...); }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) { log(LogLevel::error, f, std::forward<Args>(a)...); }

 private:
  void write(LogLevel level, std::string_view line);

  LogLevel level_;
  std::ostream* sink_ = nullptr;  // null: stderr
  std::mutex mutex_;
};

}  // namespace rwproxy
