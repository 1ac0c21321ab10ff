// Runs every row of statements.tsv through classify() and digest(); a failing row is reported
// with its line number, what was expected and what came out.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "parser/classifier.hpp"
#include "parser/digest.hpp"
#include "statement_row.hpp"

namespace rwproxy::parser {
namespace {

std::vector<testing::StatementRow> load_rows() {
  std::ifstream in(RWPROXY_STATEMENTS_TSV, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << RWPROXY_STATEMENTS_TSV;
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> errors;
  auto rows = testing::parse_rows(text.str(), errors);
  for (const auto& e : errors) ADD_FAILURE() << "statements.tsv " << e;
  return rows;
}

TEST(StatementsData, HasEnoughRows) { EXPECT_GE(load_rows().size(), 400u); }

TEST(StatementsData, EveryRowMatches) {
  int failures = 0;
  for (const auto& row : load_rows()) {
    const StatementInfo info = classify(row.sql);
    const Digest d = digest(row.sql);
    const std::string kind(to_string(info.kind));
    const std::string flags = testing::join(testing::render_flags(info));
    const std::string expected_flags = testing::join(testing::canonical_flags(row.flags));
    const bool digest_ok = row.digest == "*" || row.digest == d.text;
    if (kind == row.kind && flags == expected_flags && digest_ok) continue;
    ++failures;
    ADD_FAILURE() << "statements.tsv:" << row.line << ": " << testing::encode_field(row.sql)
                  << "\n  kind:   expected " << row.kind << ", got " << kind
                  << "\n  flags:  expected " << expected_flags << "\n          got      " << flags
                  << "\n  digest: expected " << testing::encode_field(row.digest)
                  << "\n          got      " << testing::encode_field(d.text);
  }
  EXPECT_EQ(failures, 0);
}

TEST(StatementsData, HashIsFnvOfText) {
  for (const auto& row : load_rows()) {
    const Digest d = digest(row.sql);
    EXPECT_EQ(d.hash, fnv1a64(d.text)) << "line " << row.line;
  }
}

}  // namespace
}  // namespace rwproxy::parser
