#include "proxy/explain/log_time.hpp"

#include <cstdint>

namespace rwproxy::explain {

namespace {

using namespace std::chrono;

// Reads exactly `width` digits at `pos` (advancing it).
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

std::optional<microseconds> to_time(const Fields& f) {
  const year_month_day date{year{f.year}, month{static_cast<unsigned>(f.month)}, day{static_cast<unsigned>(f.day)}};
  if (!date.ok() || f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  const sys_seconds at = sys_days{date} + hours{f.hour} + minutes{f.minute} + seconds{f.second};
  return duration_cast<microseconds>(at.time_since_epoch());
}

// HH:MM:SS after `pos`.
bool clock_time(std::string_view text, std::size_t& pos, Fields& f) {
  auto h = digits(text, pos, 2);
  if (!h || !expect(text, pos, ':')) return false;
  auto m = digits(text, pos, 2);
  if (!m || !expect(text, pos, ':')) return false;
  auto s = digits(text, pos, 2);
  if (!s) return false;
  f.hour = *h;
  f.minute = *m;
  f.second = *s;
  return true;
}

std::optional<LogTime> mariadb_time(std::string_view text) {
  std::size_t pos = 0;
  Fields f;
  auto y = digits(text, pos, 2);
  auto mo = digits(text, pos, 2);
  auto d = digits(text, pos, 2);
  if (!y || !mo || !d) return std::nullopt;
  // The hour is padded with a space ("231123  9:05:01").
  if (!expect(text, pos, ' ')) return std::nullopt;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  std::string_view rest = text.substr(pos);
  std::string padded;
  if (rest.size() == 7) {
    padded = "0" + std::string(rest);
    rest = padded;
  }
  std::size_t at = 0;
  if (!clock_time(rest, at, f) || at != rest.size()) return std::nullopt;
  f.year = 2000 + *y;
  f.month = *mo;
  f.day = *d;
  auto time = to_time(f);
  if (!time) return std::nullopt;
  return LogTime{*time, true};
}

std::optional<LogTime> mysql_time(std::string_view text) {
  std::size_t pos = 0;
  Fields f;
  auto y = digits(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  auto mo = digits(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return std::nullopt;
  auto d = digits(text, pos, 2);
  if (!d || !expect(text, pos, 'T') || !clock_time(text, pos, f)) return std::nullopt;
  f.year = *y;
  f.month = *mo;
  f.day = *d;
  std::int64_t fraction_us = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t scale = 100000;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction_us += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  microseconds offset{0};
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const bool east = text[pos] == '+';
    ++pos;
    auto oh = digits(text, pos, 2);
    if (!oh || !expect(text, pos, ':')) return std::nullopt;
    auto om = digits(text, pos, 2);
    if (!om) return std::nullopt;
    offset = duration_cast<microseconds>(hours{*oh} + minutes{*om});
    if (!east) offset = -offset;
  } else if (!expect(text, pos, 'Z')) {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  auto time = to_time(f);
  if (!time) return std::nullopt;
  return LogTime{*time + microseconds{fraction_us} - offset, false};
}

}  // namespace

std::optional<LogTime> parse_log_time(std::string_view text) {
  if (text.size() > 4 && text[4] == '-') return mysql_time(text);
  return mariadb_time(text);
}

}  // namespace rwproxy::explain
