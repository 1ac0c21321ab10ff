// libFuzzer target: lexes, classifies, splits and digests arbitrary bytes. Checks the
// invariants that must hold for any input: tokens stay inside the input and cover it in
// order, the lexer terminates, the digest respects its cap and its hash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parser/classifier.hpp"
#include "parser/digest.hpp"
#include "parser/lexer.hpp"
#include "parser/splitter.hpp"
#include "proxy/admin/admin_command.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void lex_all(std::string_view sql) {
  rwproxy::parser::Lexer lexer(sql);
  std::size_t last_end = 0;
  for (std::size_t n = 0; n <= sql.size() + 1; ++n) {
    const auto t = lexer.next();
    if (t.kind == rwproxy::parser::TokenKind::end) return;
    const auto begin = static_cast<std::size_t>(t.text.data() - sql.data());
    check(begin >= last_end && begin + t.text.size() <= sql.size());
    check(!t.text.empty() || t.kind == rwproxy::parser::TokenKind::error);
    last_end = begin + t.text.size();
  }
  check(false);  // more tokens than bytes: the lexer did not advance
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  lex_all(sql);
  const auto info = rwproxy::parser::classify(sql);
  // The admin interface's statements (an admin's bytes, after login).
  const auto admin = rwproxy::admin::parse_admin_command(sql);
  check(admin.kind != rwproxy::admin::CommandKind::invalid || !admin.error.empty());
  check(admin.kind != rwproxy::admin::CommandKind::set_weight || admin.number <= 1000);
  check(!(info.read_only_safe && info.writes));
  check(info.tables.size() <= 64);
  for (const auto part : rwproxy::parser::split_statements(sql))
    check(part.data() >= sql.data() && part.data() + part.size() <= sql.data() + sql.size());
  const std::size_t cap = size > 0 ? data[0] % 200 : 1024;
  for (const std::size_t max : {std::size_t{1024}, cap}) {
    const auto d = rwproxy::parser::digest(sql, max);
    check(d.text.size() <= max);
    check(d.hash == rwproxy::parser::fnv1a64(d.text));
  }
  return 0;
}
