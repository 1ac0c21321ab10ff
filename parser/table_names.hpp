// Reading table names off the token stream: `name`, `schema.name`, backticked parts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/statement_info.hpp"
#include "parser/token_cursor.hpp"

namespace rwproxy::parser {

// Upper bound on StatementInfo::tables; further tables are not recorded.
inline constexpr std::size_t kMaxTables = 64;

// `name` or `` `na``me` `` -> the identifier's value.
std::string unquote_identifier(std::string_view text);

// `first` (already consumed) is a word; reads an optional ". name" (or ". *") after it.
TableRef read_table_name(const Token& first, TokenCursor& cur);

// Consumes and returns the next table name, if the next token is a word other than a
// reserved keyword.
std::optional<TableRef> accept_table_name(TokenCursor& cur);

// Appends unless already present or the list is full.
void add_table(std::vector<TableRef>& tables, TableRef table);

}  // namespace rwproxy::parser
