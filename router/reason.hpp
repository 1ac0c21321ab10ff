// Why a statement went where it went. Every routing decision carries one; it is what metrics,
// logs and explain output show.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rwproxy::router {

enum class Reason : std::uint8_t {
  read,                     // a plain read on an eligible replica
  write,                    // writes data or schema
  locking_read,             // SELECT ... FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE
  master_only_function,     // LAST_INSERT_ID(), GET_LOCK(), FOUND_ROWS(), NEXTVAL(), ...
  select_into,              // SELECT ... INTO @var / OUTFILE / DUMPFILE
  user_variable,            // reads or assigns user variables, which live on the master
  session_state,            // SET, USE and other statements that change the session
  transaction_control,      // BEGIN / COMMIT / ROLLBACK / SAVEPOINT
  unknown_statement,        // the classifier could not tell: the master is always safe
  diagnostics,              // SHOW WARNINGS, ROW_COUNT(), ...: where the previous statement ran
  in_transaction,           // an open transaction (server status flag or autocommit=0)
  read_only_transaction,    // START TRANSACTION READ ONLY runs whole on one replica
  read_after_write_window,  // the session wrote recently; its reads see the master
  session_pinned,           // LOCK TABLES, GET_LOCK held, SQL PREPARE, an unparsed SET
  temp_table,               // touches a temporary table, which exists only on the master
  hint,                     // /* rwproxy:master */ or /* rwproxy:replica */
  rule,                     // a [[rules]] entry matched
  no_eligible_replica,      // a read, but no replica is up and caught up
  replica_lag,              // a read, but every live replica lags past the threshold
  causal_read,              // a replica known to have applied the session's GTID position
  causal_wait,              // a replica, after waiting there for the session's GTID position
  causal_wait_timeout,      // the wait on the replica timed out: the master serves the read
  causal_replicas_behind,   // no replica has the position, each lags past the wait: the master
};

inline constexpr std::size_t reason_count = static_cast<std::size_t>(Reason::causal_replicas_behind) + 1;

std::string_view to_string(Reason reason);

// All reasons, for metrics that pre-create one series per reason.
std::array<Reason, reason_count> all_reasons();

}  // namespace rwproxy::router
