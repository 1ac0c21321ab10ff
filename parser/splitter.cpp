#include "parser/splitter.hpp"

#include "parser/statement_analyzer.hpp"
#include "parser/token_cursor.hpp"

namespace rwproxy::parser {

std::vector<std::string_view> split_statements(std::string_view sql) {
  std::vector<std::string_view> out;
  Lexer lexer(sql);
  for (;;) {
    TokenCursor cur(lexer, !starts_compound_statement(lexer));
    if (cur.at_end() && !cur.ended_by_semicolon()) break;
    std::size_t begin = std::string_view::npos, end = 0;
    while (!cur.at_end()) {
      const Token t = cur.next();
      const auto offset = static_cast<std::size_t>(t.text.data() - sql.data());
      if (begin == std::string_view::npos) begin = offset;
      end = offset + t.text.size();
    }
    if (begin != std::string_view::npos) out.push_back(sql.substr(begin, end - begin));
    if (!cur.ended_by_semicolon()) break;
    lexer = cur.lexer();
  }
  return out;
}

}  // namespace rwproxy::parser
