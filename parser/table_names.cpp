#include "parser/table_names.hpp"

#include <algorithm>

namespace rwproxy::parser {

std::string unquote_identifier(std::string_view text) {
  if (text.size() < 2 || text.front() != '`') return std::string(text);
  std::string out;
  const std::string_view body = text.substr(1, text.size() - 2);
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    out.push_back(body[i]);
    if (body[i] == '`' && i + 1 < body.size() && body[i + 1] == '`') ++i;
  }
  return out;
}

TableRef read_table_name(const Token& first, TokenCursor& cur) {
  TableRef ref;
  ref.name = unquote_identifier(first.text);
  if (cur.peek().kind != TokenKind::dot) return ref;
  const Token& after = cur.peek(1);
  if (after.is_word()) {
    cur.next();
    ref.schema = std::move(ref.name);
    ref.name = unquote_identifier(cur.next().text);
  } else if (after.is_op("*")) {  // DELETE t.* FROM ...
    cur.next();
    cur.next();
  }
  return ref;
}

std::optional<TableRef> accept_table_name(TokenCursor& cur) {
  const Token& next = cur.peek();
  if (!next.is_word()) return std::nullopt;
  // A reserved word cannot be an unquoted table name: FLUSH TABLES WITH READ LOCK.
  if (next.keyword != Keyword::none && next.keyword_class == KeywordClass::reserved)
    return std::nullopt;
  const Token first = cur.next();
  return read_table_name(first, cur);
}

void add_table(std::vector<TableRef>& tables, TableRef table) {
  if (table.name.empty() || tables.size() >= kMaxTables) return;
  if (std::find(tables.begin(), tables.end(), table) != tables.end()) return;
  tables.push_back(std::move(table));
}

}  // namespace rwproxy::parser
