// parser_tsv_tool FILE: prints every row of FILE (statements.tsv format; kind/flags/digest may
// be placeholders) with the values the parser computes now. Used to write and review rows:
//   parser_tsv_tool new_rows.tsv >> statements.tsv   (then check each row by eye)
#include <fstream>
#include <iostream>
#include <sstream>

#include "parser/classifier.hpp"
#include "parser/digest.hpp"
#include "statement_row.hpp"

int main(int argc, char** argv) {
  using namespace rwproxy::parser;
  if (argc != 2) {
    std::cerr << "usage: parser_tsv_tool FILE\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> errors;
  for (const auto& row : testing::parse_rows(text.str(), errors)) {
    const StatementInfo info = classify(row.sql);
    std::cout << testing::encode_field(row.sql) << '\t' << to_string(info.kind) << '\t'
              << testing::join(testing::render_flags(info)) << '\t'
              << testing::encode_field(digest(row.sql).text) << '\n';
  }
  for (const auto& e : errors) std::cerr << e << '\n';
  return errors.empty() ? 0 : 1;
}
