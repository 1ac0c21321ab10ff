#include "proxy/admin/admin_command.hpp"

#include <charconv>
#include <optional>
#include <vector>

#include "parser/char_class.hpp"

namespace rwproxy::admin {

namespace {

// Words of the statement: quoted names keep their case and lose their quotes; '=' is a word.
std::vector<std::string> words_of(std::string_view text, std::string& error) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';') {
      ++i;
    } else if (c == '\'' || c == '"' || c == '`') {
      const std::size_t end = text.find(c, i + 1);
      if (end == std::string_view::npos) {
        error = "unterminated quoted name";
        return {};
      }
      out.emplace_back(text.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '=') {
      out.emplace_back("=");
      ++i;
    } else {
      std::size_t end = i;
      while (end < text.size() && text[end] != ' ' && text[end] != '\t' && text[end] != '\n' && text[end] != '\r' &&
             text[end] != ';' && text[end] != '=') {
        ++end;
      }
      out.emplace_back(text.substr(i, end - i));
      i = end;
    }
  }
  return out;
}

bool is(const std::string& word, std::string_view keyword) { return parser::chars::iequals(word, keyword); }

std::optional<std::uint64_t> number(const std::string& word) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return value;
}

AdminCommand invalid(std::string why) {
  AdminCommand c;
  c.error = std::move(why);
  return c;
}

AdminCommand of(CommandKind kind) {
  AdminCommand c;
  c.kind = kind;
  return c;
}

// [LIMIT n] at words[at].
AdminCommand with_limit(AdminCommand c, const std::vector<std::string>& w, std::size_t at) {
  if (w.size() == at) return c;
  if (w.size() == at + 2 && is(w[at], "LIMIT")) {
    if (auto n = number(w[at + 1])) {
      c.number = *n;
      return c;
    }
  }
  return invalid("expected nothing or LIMIT n after the command");
}

}  // namespace

AdminCommand parse_admin_command(std::string_view text) {
  std::string error;
  const std::vector<std::string> w = words_of(text, error);
  if (!error.empty()) return invalid(error);
  if (w.empty()) return invalid("empty statement");
  const std::size_t n = w.size();
  if (n == 1 && (is(w[0], "HELP") || is(w[0], "\\h"))) return of(CommandKind::help);
  if (is(w[0], "SHOW") && n >= 2) {
    if (n == 2 && is(w[1], "BACKENDS")) return of(CommandKind::show_backends);
    if (n == 2 && (is(w[1], "SESSIONS") || is(w[1], "PROCESSLIST"))) return of(CommandKind::show_sessions);
    if (n >= 3 && is(w[1], "QUERY") && is(w[2], "DIGESTS")) return with_limit(of(CommandKind::show_digests), w, 3);
    if (n == 2 && is(w[1], "CONFIG")) return of(CommandKind::show_config);
    if (n == 2 && is(w[1], "STATUS")) return of(CommandKind::show_status);
    if (n == 2 && is(w[1], "HELP")) return of(CommandKind::help);
  }
  if (n == 3 && is(w[0], "RESET") && is(w[1], "QUERY") && is(w[2], "DIGESTS")) return of(CommandKind::reset_digests);
  if (n == 2 && is(w[0], "RELOAD") && is(w[1], "CONFIG")) return of(CommandKind::reload_config);
  if (n >= 2 && is(w[1], "BACKEND") && (is(w[0], "DRAIN") || is(w[0], "OFFLINE") || is(w[0], "ONLINE"))) {
    if (n != 3) return invalid("expected " + w[0] + " BACKEND name");
    AdminCommand c = of(CommandKind::set_state);
    c.name = w[2];
    c.state = is(w[0], "DRAIN") ? "drain" : is(w[0], "OFFLINE") ? "offline" : "online";
    return c;
  }
  if (n >= 2 && is(w[0], "SET") && is(w[1], "BACKEND")) {
    const bool has_equals = n == 6 && w[4] == "=";
    if ((n != 5 && !has_equals) || !is(w[3], "WEIGHT")) return invalid("expected SET BACKEND name WEIGHT n");
    const auto weight = number(w[n - 1]);
    if (!weight || *weight > 1000) return invalid("the weight must be an integer 0..1000");
    AdminCommand c = of(CommandKind::set_weight);
    c.name = w[2];
    c.number = *weight;
    return c;
  }
  if (is(w[0], "SELECT") && n >= 2) {
    if (n == 2 && is(w[1], "@@version_comment")) return of(CommandKind::version_comment);
    if (n >= 4 && w[1] == "*" && is(w[2], "FROM")) {
      // ProxySQL's table names, for DBAs who know them.
      if (n == 4 && (is(w[3], "runtime_mysql_servers") || is(w[3], "mysql_servers") ||
                     is(w[3], "stats_mysql_connection_pool"))) {
        return of(CommandKind::show_backends);
      }
      if (n == 4 && is(w[3], "stats_mysql_processlist")) return of(CommandKind::show_sessions);
      if (is(w[3], "stats_mysql_query_digest")) return with_limit(of(CommandKind::show_digests), w, 4);
      if (is(w[3], "stats_mysql_query_digest_reset")) {
        AdminCommand c = with_limit(of(CommandKind::reset_digests), w, 4);
        c.show_and_reset = c.kind == CommandKind::reset_digests;
        return c;
      }
    }
    if (n == 4 && is(w[1], "@@version_comment") && is(w[2], "LIMIT")) return of(CommandKind::version_comment);
  }
  if (is(w[0], "SET")) return of(CommandKind::ignored_set);
  return invalid("unknown admin command; HELP lists them");
}

}  // namespace rwproxy::admin
