// The keyword table: every word the classifier or the digest knows, with its class.
// Checked at compile time: each Keyword value (other than none/other) appears exactly once,
// names are upper-case and unique, and the hash table has room.
#include "parser/keywords.hpp"

#include <array>

#include "parser/char_class.hpp"

namespace rwproxy::parser {
namespace {

using K = Keyword;
using C = KeywordClass;

struct Entry {
  std::string_view name;
  Keyword keyword;
  KeywordClass cls;
};

constexpr Entry kEntries[] = {
    // statement starts
    {"SELECT", K::select, C::reserved}, {"INSERT", K::insert, C::function},
    {"UPDATE", K::update, C::reserved}, {"DELETE", K::delete_, C::reserved},
    {"REPLACE", K::replace, C::function}, {"CREATE", K::create, C::reserved},
    {"ALTER", K::alter, C::reserved}, {"DROP", K::drop, C::reserved},
    {"RENAME", K::rename, C::reserved}, {"TRUNCATE", K::truncate, C::function},
    {"SET", K::set, C::reserved}, {"USE", K::use, C::reserved},
    {"BEGIN", K::begin, C::statement}, {"START", K::start, C::statement},
    {"COMMIT", K::commit, C::statement}, {"ROLLBACK", K::rollback, C::statement},
    {"SAVEPOINT", K::savepoint, C::statement}, {"RELEASE", K::release, C::reserved},
    {"LOCK", K::lock, C::reserved}, {"UNLOCK", K::unlock, C::reserved},
    {"CALL", K::call, C::reserved}, {"DO", K::do_, C::statement},
    {"SHOW", K::show, C::reserved}, {"EXPLAIN", K::explain, C::reserved},
    {"DESCRIBE", K::describe, C::reserved}, {"DESC", K::desc, C::reserved},
    {"PREPARE", K::prepare, C::statement}, {"EXECUTE", K::execute, C::statement},
    {"DEALLOCATE", K::deallocate, C::statement}, {"HANDLER", K::handler, C::statement},
    {"LOAD", K::load, C::reserved}, {"XA", K::xa, C::statement},
    {"FLUSH", K::flush, C::statement}, {"KILL", K::kill, C::reserved},
    {"GRANT", K::grant, C::reserved}, {"REVOKE", K::revoke, C::reserved},
    {"WITH", K::with, C::reserved}, {"VALUES", K::values, C::reserved},
    {"TABLE", K::table, C::reserved}, {"ANALYZE", K::analyze, C::reserved},
    {"OPTIMIZE", K::optimize, C::reserved}, {"REPAIR", K::repair, C::statement},
    {"CHECK", K::check, C::reserved}, {"CHECKSUM", K::checksum, C::statement},
    {"CACHE", K::cache, C::statement}, {"INSTALL", K::install, C::statement},
    {"UNINSTALL", K::uninstall, C::statement}, {"SHUTDOWN", K::shutdown, C::statement},
    {"RESTART", K::restart, C::statement}, {"CHANGE", K::change, C::reserved},
    {"STOP", K::stop, C::statement}, {"RESET", K::reset, C::statement},
    {"PURGE", K::purge, C::reserved}, {"BINLOG", K::binlog, C::statement},
    {"HELP", K::help, C::statement}, {"SIGNAL", K::signal, C::reserved},
    {"RESIGNAL", K::resignal, C::reserved}, {"GET", K::get, C::reserved},
    {"CLONE", K::clone, C::statement}, {"BACKUP", K::backup, C::statement},
    {"IMPORT", K::import, C::statement}, {"IF", K::if_, C::function},
    {"CASE", K::case_, C::reserved}, {"LOOP", K::loop, C::reserved},
    {"WHILE", K::while_, C::reserved}, {"REPEAT", K::repeat, C::function},
    // transactions
    {"TRANSACTION", K::transaction, C::statement}, {"WORK", K::work, C::statement},
    {"READ", K::read, C::reserved}, {"WRITE", K::write, C::reserved},
    {"ONLY", K::only, C::statement}, {"CONSISTENT", K::consistent, C::statement},
    {"SNAPSHOT", K::snapshot, C::statement}, {"CHAIN", K::chain, C::statement},
    {"NO", K::no, C::statement}, {"AND", K::and_, C::reserved}, {"TO", K::to, C::reserved},
    {"RECOVER", K::recover, C::statement}, {"END", K::end, C::statement},
    // DDL
    {"OR", K::or_, C::reserved}, {"TEMPORARY", K::temporary, C::statement},
    {"TABLES", K::tables, C::statement}, {"NOT", K::not_, C::reserved},
    {"EXISTS", K::exists, C::reserved}, {"INDEX", K::index, C::reserved},
    {"VIEW", K::view, C::statement}, {"PROCEDURE", K::procedure, C::reserved},
    {"FUNCTION", K::function, C::reserved}, {"TRIGGER", K::trigger, C::reserved},
    {"EVENT", K::event, C::context}, {"DATABASE", K::database, C::function},
    {"SCHEMA", K::schema, C::function}, {"USER", K::user, C::context},
    {"ROLE", K::role, C::context}, {"SEQUENCE", K::sequence, C::statement},
    {"PACKAGE", K::package, C::statement}, {"SERVER", K::server, C::context},
    {"LIKE", K::like, C::reserved}, {"AS", K::as, C::reserved}, {"ON", K::on, C::reserved},
    {"ONLINE", K::online, C::statement}, {"OFFLINE", K::offline, C::statement},
    {"IGNORE", K::ignore, C::reserved}, {"UNIQUE", K::unique, C::reserved},
    {"FULLTEXT", K::fulltext, C::reserved}, {"SPATIAL", K::spatial, C::reserved},
    {"ALGORITHM", K::algorithm, C::statement}, {"DEFINER", K::definer, C::statement},
    {"SQL", K::sql, C::reserved}, {"SECURITY", K::security, C::statement},
    {"AGGREGATE", K::aggregate, C::statement}, {"ATOMIC", K::atomic, C::statement},
    // clauses
    {"INTO", K::into, C::reserved}, {"FROM", K::from, C::reserved},
    {"JOIN", K::join, C::reserved}, {"STRAIGHT_JOIN", K::straight_join, C::reserved},
    {"USING", K::using_, C::reserved}, {"WHERE", K::where, C::reserved},
    {"GROUP", K::group, C::reserved}, {"ORDER", K::order, C::reserved},
    {"HAVING", K::having, C::reserved}, {"LIMIT", K::limit, C::reserved},
    {"WINDOW", K::window, C::reserved}, {"UNION", K::union_, C::reserved},
    {"EXCEPT", K::except, C::reserved}, {"INTERSECT", K::intersect, C::reserved},
    {"FOR", K::for_, C::reserved}, {"SHARE", K::share, C::statement},
    {"MODE", K::mode, C::context}, {"IN", K::in, C::reserved},
    {"OUTFILE", K::outfile, C::reserved}, {"DUMPFILE", K::dumpfile, C::statement},
    {"SQL_CALC_FOUND_ROWS", K::sql_calc_found_rows, C::reserved},
    {"NEXT", K::next, C::context}, {"VALUE", K::value, C::context},
    {"PREVIOUS", K::previous, C::context}, {"DUAL", K::dual, C::reserved},
    {"LATERAL", K::lateral, C::reserved}, {"LOW_PRIORITY", K::low_priority, C::reserved},
    {"DELAYED", K::delayed, C::reserved}, {"HIGH_PRIORITY", K::high_priority, C::reserved},
    {"QUICK", K::quick, C::statement}, {"CONCURRENT", K::concurrent, C::statement},
    {"LOCAL", K::local, C::statement}, {"INFILE", K::infile, C::reserved},
    {"DATA", K::data, C::context}, {"XML", K::xml, C::context},
    {"PARTITION", K::partition, C::reserved}, {"RECURSIVE", K::recursive, C::reserved},
    {"NULL", K::null_, C::reserved}, {"TRUE", K::true_, C::reserved},
    {"FALSE", K::false_, C::reserved},
    {"NO_WRITE_TO_BINLOG", K::no_write_to_binlog, C::reserved},
    // SET
    {"NAMES", K::names, C::statement}, {"CHARACTER", K::character, C::reserved},
    {"CHARSET", K::charset, C::function}, {"GLOBAL", K::global, C::statement},
    {"SESSION", K::session, C::statement}, {"PERSIST", K::persist, C::statement},
    {"PERSIST_ONLY", K::persist_only, C::statement}, {"DEFAULT", K::default_, C::function},
    {"COLLATE", K::collate, C::reserved}, {"PASSWORD", K::password, C::function},
    {"STATEMENT", K::statement, C::context},
    // SHOW / EXPLAIN / KILL
    {"STATUS", K::status, C::context}, {"MASTER", K::master, C::context},
    {"SLAVE", K::slave, C::context}, {"REPLICA", K::replica, C::context},
    {"REPLICAS", K::replicas, C::context}, {"BINARY", K::binary, C::function},
    {"LOGS", K::logs, C::context}, {"RELAYLOG", K::relaylog, C::context},
    {"PROCESSLIST", K::processlist, C::context}, {"FULL", K::full, C::context},
    {"WARNINGS", K::warnings, C::context}, {"ERRORS", K::errors, C::context},
    {"COUNT", K::count, C::function}, {"PROFILE", K::profile, C::context},
    {"PROFILES", K::profiles, C::context}, {"COLUMNS", K::columns, C::context},
    {"FIELDS", K::fields, C::context}, {"KEYS", K::keys, C::reserved},
    {"INDEXES", K::indexes, C::context}, {"HOSTS", K::hosts, C::context},
    {"ALL", K::all, C::reserved}, {"EXTENDED", K::extended, C::context},
    {"PARTITIONS", K::partitions, C::context}, {"FORMAT", K::format, C::function},
    {"CONNECTION", K::connection, C::context}, {"QUERY", K::query, C::context},
    {"HARD", K::hard, C::context}, {"SOFT", K::soft, C::context},
    {"DIAGNOSTICS", K::diagnostics, C::statement}, {"INSTANCE", K::instance, C::context},
    {"OPEN", K::open, C::context}, {"CLOSE", K::close, C::context},
    {"EVENTS", K::events, C::context},
    // master-only functions
    {"LAST_INSERT_ID", K::last_insert_id, C::function}, {"GET_LOCK", K::get_lock, C::function},
    {"RELEASE_LOCK", K::release_lock, C::function},
    {"RELEASE_ALL_LOCKS", K::release_all_locks, C::function},
    {"IS_FREE_LOCK", K::is_free_lock, C::function}, {"IS_USED_LOCK", K::is_used_lock, C::function},
    {"FOUND_ROWS", K::found_rows, C::function}, {"ROW_COUNT", K::row_count, C::function},
    {"NEXTVAL", K::nextval, C::function}, {"SETVAL", K::setval, C::function},
    {"LASTVAL", K::lastval, C::function}, {"MASTER_GTID_WAIT", K::master_gtid_wait, C::function},
    {"MASTER_POS_WAIT", K::master_pos_wait, C::function},
    {"SOURCE_POS_WAIT", K::source_pos_wait, C::function},
    {"WAIT_FOR_EXECUTED_GTID_SET", K::wait_for_executed_gtid_set, C::function},
    {"WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS", K::wait_until_sql_thread_after_gtids, C::function},

    // Reserved words the classifier ignores (digest upper-cases them).
    {"ADD", K::other, C::reserved}, {"ASC", K::other, C::reserved},
    {"BETWEEN", K::other, C::reserved}, {"BY", K::other, C::reserved},
    {"BOTH", K::other, C::reserved}, {"CASCADE", K::other, C::reserved},
    {"COLUMN", K::other, C::reserved}, {"CONSTRAINT", K::other, C::reserved},
    {"CONVERT", K::other, C::function}, {"CROSS", K::other, C::reserved},
    {"CURRENT_DATE", K::other, C::function}, {"CURRENT_TIME", K::other, C::function},
    {"CURRENT_TIMESTAMP", K::other, C::function}, {"CURRENT_USER", K::other, C::function},
    {"DATABASES", K::other, C::reserved}, {"DECLARE", K::other, C::reserved},
    {"DISTINCT", K::other, C::reserved}, {"DISTINCTROW", K::other, C::reserved},
    {"DIV", K::other, C::reserved}, {"EACH", K::other, C::reserved},
    {"ELSE", K::other, C::reserved}, {"ELSEIF", K::other, C::reserved},
    {"ENCLOSED", K::other, C::reserved}, {"ESCAPED", K::other, C::reserved},
    {"FORCE", K::other, C::reserved}, {"FOREIGN", K::other, C::reserved},
    {"HIGH", K::other, C::context}, {"INNER", K::other, C::reserved},
    {"INTERVAL", K::other, C::function}, {"IS", K::other, C::reserved},
    {"KEY", K::other, C::reserved}, {"LEADING", K::other, C::reserved},
    {"LEFT", K::other, C::function}, {"LINES", K::other, C::reserved},
    {"LOCALTIME", K::other, C::function}, {"LOCALTIMESTAMP", K::other, C::function},
    {"MATCH", K::other, C::function}, {"MOD", K::other, C::function},
    {"NATURAL", K::other, C::reserved}, {"OF", K::other, C::reserved},
    {"OPTION", K::other, C::reserved}, {"OPTIONALLY", K::other, C::reserved},
    {"OUTER", K::other, C::reserved}, {"OVER", K::other, C::reserved},
    {"PRIMARY", K::other, C::reserved}, {"REFERENCES", K::other, C::reserved},
    {"REGEXP", K::other, C::reserved}, {"RESTRICT", K::other, C::reserved},
    {"RETURN", K::other, C::reserved}, {"RIGHT", K::other, C::function},
    {"RLIKE", K::other, C::reserved}, {"ROW", K::other, C::function},
    {"ROWS", K::other, C::reserved}, {"SCHEMAS", K::other, C::reserved},
    {"SEPARATOR", K::other, C::reserved}, {"SQL_BIG_RESULT", K::other, C::reserved},
    {"SQL_SMALL_RESULT", K::other, C::reserved}, {"SQL_BUFFER_RESULT", K::other, C::reserved},
    {"SQL_NO_CACHE", K::other, C::reserved}, {"SQL_CACHE", K::other, C::reserved},
    {"STARTING", K::other, C::reserved}, {"TERMINATED", K::other, C::reserved},
    {"THEN", K::other, C::reserved}, {"TRAILING", K::other, C::reserved},
    {"UNSIGNED", K::other, C::reserved}, {"WHEN", K::other, C::reserved},
    {"XOR", K::other, C::reserved}, {"ZEROFILL", K::other, C::reserved},
    {"DUPLICATE", K::other, C::statement}, {"AUTO_INCREMENT", K::other, C::statement},
    {"ENGINE", K::other, C::statement}, {"COMMENT", K::other, C::context},
    // Types.
    {"INT", K::other, C::reserved}, {"INTEGER", K::other, C::reserved},
    {"BIGINT", K::other, C::reserved}, {"SMALLINT", K::other, C::reserved},
    {"TINYINT", K::other, C::reserved}, {"MEDIUMINT", K::other, C::reserved},
    {"DECIMAL", K::other, C::reserved}, {"NUMERIC", K::other, C::reserved},
    {"FLOAT", K::other, C::reserved}, {"DOUBLE", K::other, C::reserved},
    {"REAL", K::other, C::reserved}, {"CHAR", K::other, C::function},
    {"VARCHAR", K::other, C::reserved}, {"VARBINARY", K::other, C::reserved},
    {"BLOB", K::other, C::reserved}, {"TEXT", K::other, C::context},
    {"LONGTEXT", K::other, C::reserved}, {"MEDIUMTEXT", K::other, C::reserved},
    {"LONGBLOB", K::other, C::reserved}, {"DATETIME", K::other, C::context},
    {"TIMESTAMP", K::other, C::context}, {"DATE", K::other, C::context},
    // Common functions (upper-cased, no space before '(').
    {"ABS", K::other, C::function}, {"AVG", K::other, C::function},
    {"CAST", K::other, C::function}, {"CEIL", K::other, C::function},
    {"COALESCE", K::other, C::function}, {"CONCAT", K::other, C::function},
    {"CONCAT_WS", K::other, C::function}, {"DATE_ADD", K::other, C::function},
    {"DATE_FORMAT", K::other, C::function}, {"DATE_SUB", K::other, C::function},
    {"EXTRACT", K::other, C::function}, {"FLOOR", K::other, C::function},
    {"GREATEST", K::other, C::function}, {"GROUP_CONCAT", K::other, C::function},
    {"IFNULL", K::other, C::function}, {"ISNULL", K::other, C::function},
    {"JSON_EXTRACT", K::other, C::function}, {"JSON_OBJECT", K::other, C::function},
    {"LEAST", K::other, C::function}, {"LENGTH", K::other, C::function},
    {"LOWER", K::other, C::function}, {"MAX", K::other, C::function},
    {"MIN", K::other, C::function}, {"NOW", K::other, C::function},
    {"NULLIF", K::other, C::function}, {"RAND", K::other, C::function},
    {"ROUND", K::other, C::function}, {"SLEEP", K::other, C::function},
    {"SUBSTRING", K::other, C::function}, {"SUM", K::other, C::function},
    {"SYSDATE", K::other, C::function}, {"TRIM", K::other, C::function},
    {"UNIX_TIMESTAMP", K::other, C::function}, {"UPPER", K::other, C::function},
    {"UTC_TIMESTAMP", K::other, C::function}, {"UUID", K::other, C::function},
    {"VERSION", K::other, C::function},
};

constexpr std::size_t kEntryCount = sizeof(kEntries) / sizeof(kEntries[0]);
constexpr std::size_t kMaxKeywordLength = 40;
constexpr std::size_t kSlots = 1024;  // power of two, well above 2x the entry count

// Cheap and good enough for ~200 words: length and three letters (case folded). Collisions
// are resolved by linear probing; a miss usually ends at the first, empty slot.
constexpr std::uint32_t hash_word(std::string_view w) {
  const auto at = [&w](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(w[i]) | 0x20);  // ASCII fold
  };
  const std::size_t n = w.size();
  return static_cast<std::uint32_t>(n) * 0x9E37u ^ at(0) * 0x2F1u ^ at(n / 2) * 0x61u ^
         at(n - 1) * 0x0Bu;
}

// Slot -> entry index + 1 (0 = empty). Built at compile time with linear probing.
constexpr std::array<std::uint16_t, kSlots> build_slots() {
  std::array<std::uint16_t, kSlots> slots{};
  for (std::size_t i = 0; i < kEntryCount; ++i) {
    std::size_t s = hash_word(kEntries[i].name) & (kSlots - 1);
    while (slots[s] != 0) s = (s + 1) & (kSlots - 1);
    slots[s] = static_cast<std::uint16_t>(i + 1);
  }
  return slots;
}

constexpr bool table_is_consistent() {
  static_assert(kEntryCount * 2 < kSlots);
  for (std::size_t i = 0; i < kEntryCount; ++i) {
    const auto& e = kEntries[i];
    if (e.name.empty() || e.name.size() > kMaxKeywordLength) return false;
    for (char c : e.name)
      if (chars::to_upper(c) != c) return false;
    for (std::size_t j = i + 1; j < kEntryCount; ++j)
      if (kEntries[j].name == e.name && !(e.keyword == K::other && kEntries[j].keyword == K::other))
        return false;
  }
  for (auto k = static_cast<std::uint16_t>(K::other) + 1; k < static_cast<std::uint16_t>(K::count_);
       ++k) {
    int seen = 0;
    for (const auto& e : kEntries) seen += static_cast<std::uint16_t>(e.keyword) == k ? 1 : 0;
    if (seen != 1) return false;
  }
  return true;
}
static_assert(table_is_consistent(), "keyword table: a Keyword is missing, doubled or misspelt");

constexpr auto kSlotTable = build_slots();

bool matches(std::string_view upper_name, std::string_view word) {
  if (upper_name.size() != word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (chars::to_upper(word[i]) != upper_name[i]) return false;
  return true;
}

}  // namespace

KeywordInfo lookup_keyword(std::string_view word) noexcept {
  if (word.empty() || word.size() > kMaxKeywordLength) return {};
  std::size_t s = hash_word(word) & (kSlots - 1);
  while (kSlotTable[s] != 0) {
    const Entry& e = kEntries[kSlotTable[s] - 1];
    if (matches(e.name, word)) return {e.keyword, e.cls};
    s = (s + 1) & (kSlots - 1);
  }
  return {};
}

}  // namespace rwproxy::parser
