// SQL keywords known to the parser. `Keyword` names only the words the classifier looks at;
// other words in the table (Keyword::other) are known only so the digest can upper-case them.
// The table itself lives in keywords.cpp; lookup is a constexpr-built hash table, no allocation.
#pragma once

#include <cstdint>
#include <string_view>

namespace rwproxy::parser {

enum class Keyword : std::uint16_t {
  none,   // not a keyword
  other,  // a keyword the classifier does not care about
  // statement starts
  select, insert, update, delete_, replace, create, alter, drop, rename, truncate, set, use,
  begin, start, commit, rollback, savepoint, release, lock, unlock, call, do_, show, explain,
  describe, desc, prepare, execute, deallocate, handler, load, xa, flush, kill, grant, revoke,
  with, values, table, analyze, optimize, repair, check, checksum, cache, install, uninstall,
  shutdown, restart, change, stop, reset, purge, binlog, help, signal, resignal, get, clone,
  backup, import, if_, case_, loop, while_, repeat,
  // transactions
  transaction, work, read, write, only, consistent, snapshot, chain, no, and_, to, recover, end,
  // DDL
  or_, temporary, tables, not_, exists, index, view, procedure, function, trigger, event,
  database, schema, user, role, sequence, package, server, like, as, on, online, offline,
  ignore, unique, fulltext, spatial, algorithm, definer, sql, security, aggregate, atomic,
  // clauses
  into, from, join, straight_join, using_, where, group, order, having, limit, window, union_,
  except, intersect, for_, share, mode, in, outfile, dumpfile, sql_calc_found_rows, next, value,
  previous, dual, lateral, low_priority, delayed, high_priority, quick, concurrent, local, infile,
  data, xml, partition, recursive, null_, true_, false_, no_write_to_binlog,
  // SET
  names, character, charset, global, session, persist, persist_only, default_, collate, password,
  statement,
  // SHOW / EXPLAIN / KILL
  status, master, slave, replica, replicas, binary, logs, relaylog, processlist,
  full, warnings, errors, count, profile, profiles, columns, fields, keys, indexes, hosts, all,
  extended, partitions, format, connection, query, hard, soft, diagnostics, instance, open, close,
  events,
  // functions that must run on the master
  last_insert_id, get_lock, release_lock, release_all_locks, is_free_lock, is_used_lock,
  found_rows, row_count, nextval, setval, lastval, master_gtid_wait, master_pos_wait,
  source_pos_wait, wait_for_executed_gtid_set, wait_until_sql_thread_after_gtids,
  count_,  // number of values; keep last
};

// How the digest treats a keyword.
enum class KeywordClass : std::uint8_t {
  reserved,   // upper-cased; a '(' after it is preceded by a space: "IN (...)"
  statement,  // non-reserved statement word (BEGIN, COMMIT): upper-cased like reserved
  function,   // built-in function name: upper-cased, no space before '(': "COUNT(*)"
  context,    // non-reserved word often used as a name (status, data, value): kept as written
};

struct KeywordInfo {
  Keyword keyword = Keyword::none;
  KeywordClass cls = KeywordClass::context;
};

// Case-insensitive lookup of a bare word. Returns {Keyword::none, context} when not a keyword.
KeywordInfo lookup_keyword(std::string_view word) noexcept;

// True for functions that must run on the master (LAST_INSERT_ID, GET_LOCK, NEXTVAL, ...).
constexpr bool is_master_only_function(Keyword k) {
  return k >= Keyword::last_insert_id && k <= Keyword::wait_until_sql_thread_after_gtids;
}

}  // namespace rwproxy::parser
