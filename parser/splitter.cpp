#include "parser/splitter.hpp"

#include "parser/body_scanner.hpp"
#include "parser/statement_analyzer.hpp"

namespace rwproxy::parser {

std::vector<std::string_view> split_statements(std::string_view sql) {
  std::vector<std::string_view> out;
  Lexer lexer(sql);
  for (;;) {
    // The same analysis as classify(), so both agree on where statements end.
    TokenCursor cur(lexer);
    StatementInfo scratch;
    BodyScanner scan(scratch);
    scan.set_mode(ScanMode::skip);
    StatementContext ctx{cur, scan, scratch};
    analyze_statement(ctx);
    if (cur.span_end() > cur.span_begin())
      out.push_back(sql.substr(cur.span_begin(), cur.span_end() - cur.span_begin()));
    if (!cur.ended_by_semicolon()) break;
    lexer = cur.lexer();
  }
  return out;
}

}  // namespace rwproxy::parser
