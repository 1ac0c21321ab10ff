// classify(sql): everything the router needs to know about a COM_QUERY text, decided on tokens.
//
// Decisions worth knowing (the data file tests/parser/statements.tsv shows each one):
//  - writes: may change data, schema or server state. True for DML, DDL, CALL, EXECUTE (the
//    prepared text is not known here), LOAD DATA, GRANT & co, FLUSH, admin statements,
//    SELECT ... INTO OUTFILE/DUMPFILE, SET GLOBAL/PERSIST, EXPLAIN ANALYZE / MariaDB ANALYZE of a
//    write, unknown statements and any text with an error token.
//  - read_only_safe: may go to a replica. Only SELECT-like reads (SELECT, WITH ... SELECT, TABLE,
//    VALUES, DO), SHOW, HELP and EXPLAIN qualify, and only without: a locking clause, a
//    master-only function, SQL_CALC_FOUND_ROWS, an assignment to a user variable, INTO, a read of
//    the previous statement's diagnostics, or an error token. SHOW MASTER/SLAVE/REPLICA STATUS,
//    SHOW BINARY LOGS, SHOW BINLOG/RELAYLOG EVENTS, SHOW [FULL] PROCESSLIST, SHOW REPLICAS and
//    SHOW SLAVE HOSTS are not (they describe one particular server: the master's answer is the
//    one that means something). SET, USE, transaction control, PREPARE etc. are not: the router
//    applies them per session. Reads of user variables (@v) and session variables (@@v) stay
//    read_only_safe but are flagged (reads_user_variable / reads_session_variable) so the router
//    can decide according to what it replays on replicas.
//  - Plain EXPLAIN never executes its statement: it is a read, its tables are listed. EXPLAIN
//    FOR CONNECTION is admin (the id belongs to one server).
//  - Multi-statement text is split on ';' outside quotes and comments (a CREATE PROCEDURE/
//    FUNCTION/TRIGGER/EVENT or a compound block takes the rest of the text as one statement).
//    kind is the first statement's; writes/locking/functions/flags are OR-ed, read_only_safe is
//    AND-ed, session effects are merged, transaction is the last one that is not `none`
//    (the state after the text), tables are the union. The hint comes from the text's leading
//    comments only (see hints.hpp).
//  - COMMIT/ROLLBACK AND CHAIN report TransactionEffect::begin (a transaction is open after).
//  - Table names are as written (case kept, backticks removed); CTE names are not tables.
//  - Never throws, never reads past `sql`; allocation only for the strings and vectors of the
//    result.
#pragma once

#include <string_view>

#include "parser/statement_info.hpp"

namespace rwproxy::parser {

StatementInfo classify(std::string_view sql);

}  // namespace rwproxy::parser
