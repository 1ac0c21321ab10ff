#include "proxy/explain/statement_reader.hpp"

#include "parser/char_class.hpp"
#include "parser/lexer.hpp"

namespace rwproxy::explain {

namespace {

using parser::chars::trim;

constexpr std::string_view kSpace = " \t\r\n\f\v";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alpha(char c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }


// "231123 23:13:55" (MariaDB), "2023-11-23T23:13:55.123456Z" or "...+01:00" (MySQL).
bool is_timestamp(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c) && std::string_view(" -:.TZ+").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool is_log_header(std::string_view line) {
  line = trim(line);
  return line.ends_with("started with:") || line.starts_with("Tcp port:") ||
         (line.starts_with("Time") && line.find("Id Command") != std::string_view::npos);
}

// Only comments (or nothing): nothing to route.
bool has_code(std::string_view sql) {
  parser::Lexer lexer(sql);
  parser::Token token = lexer.next();
  while (token.is_comment()) token = lexer.next();
  return token.kind != parser::TokenKind::end;
}

bool valid_command(std::string_view command) {
  if (command.empty() || !is_upper(command.front())) return false;
  for (char c : command) {
    if (!is_alpha(c) && c != ' ' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::optional<LogLine> parse_log_line(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  LogLine out;
  std::size_t pos = 0;
  if (!line.empty() && is_digit(line.front())) {
    pos = line.find('\t');
    if (pos == std::string_view::npos || !is_timestamp(line.substr(0, pos))) return std::nullopt;
    out.time = line.substr(0, pos);
  }
  if (pos >= line.size() || line[pos] != '\t') return std::nullopt;
  while (pos < line.size() && (line[pos] == '\t' || line[pos] == ' ')) ++pos;

  const std::size_t digits_start = pos;
  while (pos < line.size() && is_digit(line[pos]) && pos - digits_start < 19) {
    out.thread = out.thread * 10 + static_cast<std::uint64_t>(line[pos] - '0');
    ++pos;
  }
  if (pos == digits_start || pos >= line.size() || line[pos] != ' ') return std::nullopt;
  while (pos < line.size() && line[pos] == ' ') ++pos;

  const std::size_t tab = line.find('\t', pos);
  out.command = trim(line.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos));
  if (!valid_command(out.command)) return std::nullopt;
  if (tab != std::string_view::npos) out.argument = line.substr(tab + 1);
  return out;
}

std::optional<ConnectInfo> parse_connect(std::string_view argument) {
  argument = trim(argument);
  const auto at = argument.find('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  ConnectInfo out;
  out.user = std::string(argument.substr(0, at));
  if (out.user.find_first_of(kSpace) != std::string::npos) return std::nullopt;  // "Access denied for user ..."
  const auto on = argument.find(" on ", at);
  if (on != std::string_view::npos) {
    std::string_view rest = argument.substr(on + 4);
    const auto using_at = rest.find(" using ");
    out.schema = std::string(trim(rest.substr(0, using_at)));
  }
  return out;
}

bool StatementReader::read_line(std::string& line) {
  if (lookahead_) {
    line = std::move(*lookahead_);
    lookahead_.reset();
    current_line_ = lookahead_line_;
    return true;
  }
  if (!std::getline(in_, line)) return false;
  current_line_ = ++line_number_;
  if (line.ends_with('\r')) line.pop_back();
  return true;
}

void StatementReader::push_back(std::string line) {
  lookahead_ = std::move(line);
  lookahead_line_ = current_line_;
}

void StatementReader::detect_format() {
  std::string line;
  while (read_line(line)) {
    if (trim(line).empty()) continue;
    format_ = is_log_header(line) || parse_log_line(line) ? Format::general_log : Format::plain;
    push_back(std::move(line));
    return;
  }
  format_ = Format::plain;
}

std::optional<StatementEntry> StatementReader::next() {
  if (format_ == Format::unknown) detect_format();
  return format_ == Format::general_log ? next_log() : next_plain();
}

std::optional<StatementEntry> StatementReader::next_plain() {
  std::string line;
  while (read_line(line)) {
    const std::string_view sql = trim(line);
    if (!has_code(sql)) continue;
    StatementEntry entry;
    entry.text = std::string(sql);
    entry.line = current_line_;
    return entry;
  }
  return std::nullopt;
}

std::optional<StatementEntry> StatementReader::log_entry(const LogLine& line) {
  if (!line.time.empty()) {
    if (auto time = parse_log_time(trim(line.time))) last_time_ = time;
  }
  StatementEntry entry;
  entry.thread = line.thread;
  entry.text = std::string(line.argument);
  entry.line = current_line_;
  entry.time = last_time_;
  if (line.command == "Query") return entry;
  if (line.command == "Prepare" || line.command == "Execute") {
    entry.command = line.command == "Prepare" ? StatementCommand::prepare : StatementCommand::execute;
    return entry;
  }
  if (line.command == "Connect") {
    entry.kind = EntryKind::connect;
  } else if (line.command == "Init DB") {
    entry.kind = EntryKind::init_db;
    entry.text = std::string(trim(entry.text));
  } else if (line.command == "Quit") {
    entry.kind = EntryKind::quit;
  } else if (line.command == "Change user") {
    entry.kind = EntryKind::change_user;
  } else if (line.command == "Reset connection") {
    entry.kind = EntryKind::reset_connection;
  } else {
    return std::nullopt;
  }
  return entry;
}

// Lines after a statement's entry line that are not entries themselves are more of its text.
void StatementReader::read_continuation(StatementEntry& entry) {
  std::string line;
  while (read_line(line)) {
    if (parse_log_line(line) || is_log_header(line)) {
      push_back(std::move(line));
      break;
    }
    entry.text += '\n';
    entry.text += line;
  }
  entry.text = std::string(trim(entry.text));
}

std::optional<StatementEntry> StatementReader::next_log() {
  std::string line;
  while (read_line(line)) {
    const std::optional<LogLine> parsed = parse_log_line(line);
    if (!parsed) continue;  // a header, or more text of an entry that is skipped
    std::optional<StatementEntry> entry = log_entry(*parsed);
    if (!entry) continue;
    if (entry->kind != EntryKind::statement) return entry;
    read_continuation(*entry);
    if (has_code(entry->text)) return entry;
  }
  return std::nullopt;
}

}  // namespace rwproxy::explain
