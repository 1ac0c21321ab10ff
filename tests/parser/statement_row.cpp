#include "statement_row.hpp"

#include <algorithm>
#include <sstream>

namespace rwproxy::parser::testing {
namespace {

constexpr std::string_view kNewline = "⏎";
constexpr std::string_view kTab = "⇥";

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, from.size()) == from) {
      out += to;
      i += from.size();
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

void add_if(std::vector<std::string>& out, bool on, const char* name) {
  if (on) out.emplace_back(name);
}

std::string comma_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

}  // namespace

std::string decode_field(std::string_view field) {
  return replace_all(replace_all(field, kNewline, "\n"), kTab, "\t");
}

std::string encode_field(std::string_view text) {
  return replace_all(replace_all(text, "\n", kNewline), "\t", kTab);
}

std::vector<StatementRow> parse_rows(std::string_view text, std::vector<std::string>& errors) {
  std::vector<StatementRow> rows;
  int line_no = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto fields = split(line, '\t');
    if (fields.size() != 4) {
      errors.push_back("line " + std::to_string(line_no) + ": expected 4 tab-separated fields, got " +
                       std::to_string(fields.size()));
      continue;
    }
    rows.push_back(StatementRow{line_no, decode_field(fields[0]), std::string(fields[1]),
                                std::string(fields[2]), decode_field(fields[3])});
  }
  return rows;
}

std::vector<std::string> render_flags(const StatementInfo& info) {
  std::vector<std::string> f;
  add_if(f, info.writes, "w");
  add_if(f, info.read_only_safe, "ro");
  add_if(f, info.locking_read, "lock");
  add_if(f, info.master_only_function, "mof");
  add_if(f, info.calc_found_rows, "cfr");
  add_if(f, info.reads_user_variable, "ruv");
  add_if(f, info.reads_session_variable, "rsv");
  add_if(f, info.reads_diagnostics, "diag");
  add_if(f, info.has_error_token, "err");
  const SessionEffects& s = info.session;
  add_if(f, s.set_names, "names");
  if (s.set_autocommit)
    f.push_back(s.autocommit_value ? (*s.autocommit_value ? "autocommit=1" : "autocommit=0")
                                   : "autocommit");
  add_if(f, s.set_transaction, "settx");
  add_if(f, s.set_user_variable, "setuv");
  if (!s.set_session_variable.empty()) f.push_back("vars=" + comma_list(s.set_session_variable));
  add_if(f, s.assigns_user_variable, "assignuv");
  add_if(f, s.select_into, "into");
  if (s.use_schema) f.push_back("use=" + s.schema);
  add_if(f, s.create_temporary_table, "createtmp");
  add_if(f, s.drop_temporary_table, "droptmp");
  add_if(f, s.lock_tables, "locktables");
  add_if(f, s.unlock_tables, "unlocktables");
  add_if(f, s.sql_prepare, "prepare");
  add_if(f, s.unparsed_set, "unparsedset");
  if (info.transaction != TransactionEffect::none)
    f.push_back("tx=" + std::string(to_string(info.transaction)));
  if (!info.tables.empty()) {
    std::vector<std::string> names;
    for (const auto& t : info.tables) names.push_back(t.schema.empty() ? t.name : t.schema + "." + t.name);
    f.push_back("tables=" + comma_list(names));
  }
  if (info.hint.target == HintTarget::master) f.emplace_back("hint=master");
  if (info.hint.target == HintTarget::replica) f.emplace_back("hint=replica");
  if (!info.hint.params.empty()) {
    std::vector<std::string> params;
    for (const auto& p : info.hint.params) params.push_back(p.key + ":" + p.value);
    f.push_back("hp=" + comma_list(params));
  }
  if (info.statement_count != 1) f.push_back("n=" + std::to_string(info.statement_count));
  std::sort(f.begin(), f.end());
  return f;
}

std::vector<std::string> canonical_flags(std::string_view field) {
  std::vector<std::string> f;
  std::istringstream in{std::string(field)};
  for (std::string word; in >> word;)
    if (word != "-") f.push_back(word);
  std::sort(f.begin(), f.end());
  return f;
}

std::string join(const std::vector<std::string>& flags) {
  if (flags.empty()) return "-";
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : " ") + f;
  return out;
}

}  // namespace rwproxy::parser::testing
