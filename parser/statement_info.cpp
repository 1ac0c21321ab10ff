#include "parser/statement_info.hpp"

#include <array>

namespace rwproxy::parser {
namespace {

constexpr std::array<std::string_view, 29> kKindNames = {
    "unknown", "select",     "insert",  "update",        "delete",     "replace",
    "ddl",     "set",        "use",     "begin",         "commit",     "rollback",
    "savepoint", "lock_tables", "unlock_tables", "call", "do",         "show",
    "explain", "prepare",    "execute", "deallocate",    "handler",    "load_data",
    "xa",      "flush",      "kill",    "grant",         "admin"};
static_assert(kKindNames.size() == static_cast<std::size_t>(StatementKind::admin) + 1);

constexpr std::array<std::string_view, 9> kEffectNames = {
    "none",     "begin",     "begin_read_only",       "commit",          "rollback",
    "savepoint", "rollback_to_savepoint", "release_savepoint", "implicit_commit"};
static_assert(kEffectNames.size() == static_cast<std::size_t>(TransactionEffect::implicit_commit) + 1);

}  // namespace

std::string_view to_string(StatementKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : "unknown";
}

std::string_view to_string(TransactionEffect effect) {
  const auto i = static_cast<std::size_t>(effect);
  return i < kEffectNames.size() ? kEffectNames[i] : "none";
}

bool SessionEffects::any() const {
  return set_names || set_autocommit || set_transaction || set_user_variable ||
         !set_session_variable.empty() || assigns_user_variable || select_into || use_schema ||
         create_temporary_table || drop_temporary_table || lock_tables || unlock_tables ||
         sql_prepare || unparsed_set;
}

const std::string* Hint::find(std::string_view key) const {
  for (const auto& p : params)
    if (p.key == key) return &p.value;
  return nullptr;
}

}  // namespace rwproxy::parser
