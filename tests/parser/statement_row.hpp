// The statements.tsv row format, shared by the data-driven test and parser_tsv_tool.
//
// A row is: sql <TAB> kind <TAB> flags <TAB> digest. In sql and digest, "⏎" stands for a
// newline and "⇥" for a tab; everything else is literal. Lines starting with "#" and blank
// lines are ignored. A digest of "*" is not checked.
//
// flags: space-separated, order free; every flag that is true must be listed, nothing else.
//   w ro lock mof cfr ruv rsv diag err       writes, read_only_safe, locking_read,
//                                            master_only_function, calc_found_rows,
//                                            reads_user_variable, reads_session_variable,
//                                            reads_diagnostics, has_error_token
//   names autocommit autocommit=0|1 settx setuv vars=a,b assignuv into use=db createtmp
//   droptmp locktables unlocktables prepare unparsedset     session effects
//   tx=<TransactionEffect>                   when not none
//   tables=a,db.b                            tables in order
//   hint=master|replica  hp=k:v,k2:v2        hint target and params
//   n=<statement_count>                      when not 1
//   -                                        no flag at all
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parser/statement_info.hpp"

namespace rwproxy::parser::testing {

struct StatementRow {
  int line = 0;
  std::string sql;
  std::string kind;
  std::string flags;
  std::string digest;
};

// "⏎" -> "\n", "⇥" -> "\t" and back.
std::string decode_field(std::string_view field);
std::string encode_field(std::string_view text);

// Parses the file's text; malformed rows are reported in `errors`.
std::vector<StatementRow> parse_rows(std::string_view text, std::vector<std::string>& errors);

// The flags of `info` in canonical order, and the canonical form of an expected flags field.
std::vector<std::string> render_flags(const StatementInfo& info);
std::vector<std::string> canonical_flags(std::string_view field);
std::string join(const std::vector<std::string>& flags);

}  // namespace rwproxy::parser::testing
