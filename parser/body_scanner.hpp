// Walks the tokens of a statement body and records what can appear anywhere in it:
// locking clauses, master-only functions, user/system variables, SELECT ... INTO, and the
// tables named after FROM / JOIN / USING (and UPDATE, when primed). Works on tokens only, so
// strings, comments and backticked names never match. Keeps a fixed-size stack of paren
// levels (a FROM counts only at a level where a SELECT or DELETE started): no allocation
// beyond the table names it records.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "parser/statement_info.hpp"
#include "parser/token_cursor.hpp"

namespace rwproxy::parser {

enum class ScanMode : std::uint8_t {
  full,         // flags and tables
  tables_only,  // a body that is not executed now (plain EXPLAIN, DDL): tables only
  skip,         // nothing but error tokens (stored program bodies, GRANT, SHOW ...)
};

class BodyScanner {
 public:
  explicit BodyScanner(StatementInfo& info) : info_(info) {}

  void set_mode(ScanMode mode) { mode_ = mode; }
  ScanMode mode() const { return mode_; }
  // DELETE: FROM and USING at the current level introduce tables.
  void allow_from();
  // UPDATE: table references follow.
  void expect_table_list();

  // Feeds every remaining token of the statement.
  void run(TokenCursor& cur);
  // Feeds tokens up to (not including) a ',' or FOR at the current paren level.
  void run_expression(TokenCursor& cur);
  // The next token is '('; feeds tokens through its matching ')'.
  void run_parenthesized(TokenCursor& cur);
  // Processes one already consumed token; may consume more (a qualified name).
  void feed(const Token& token, TokenCursor& cur);

 private:
  struct Level {
    bool allows_from = false;   // a SELECT (or DELETE) started at this level
    bool allows_using = false;  // DELETE ... USING table_references
    bool in_from_list = false;  // between FROM/JOIN and WHERE/GROUP/...
  };
  enum class TableState : std::uint8_t { idle, expect_table, after_table };
  static constexpr std::size_t kMaxDepth = 32;

  Level& level() { return levels_[depth_]; }
  std::size_t depth() const { return depth_ + overflow_; }
  void open_paren();
  void close_paren();
  void on_word(const Token& token, TokenCursor& cur);
  void detect_flags(const Token& token, TokenCursor& cur);
  bool track_clause(Keyword k, TokenCursor& cur);
  void on_for(TokenCursor& cur);
  void on_into(TokenCursor& cur);
  void on_system_variable(const Token& token);

  StatementInfo& info_;
  ScanMode mode_ = ScanMode::full;
  std::array<Level, kMaxDepth> levels_{};
  std::size_t depth_ = 0;
  std::size_t overflow_ = 0;  // parens opened beyond kMaxDepth
  TableState state_ = TableState::idle;
  bool into_targets_ = false;  // after INTO: @a, @b are assigned, not read
};

}  // namespace rwproxy::parser
