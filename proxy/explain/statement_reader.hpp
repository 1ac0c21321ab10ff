// Reads the statements to explain from a file: either one SQL statement per line, or a MariaDB /
// MySQL general query log. The format is decided by the first non-blank line: a log's header
// ("... started with:", "Tcp port: ...", "Time  Id Command  Argument") or a log entry
//
//   231123 23:13:55	    12 Query	SELECT * FROM orders      (MariaDB; the time only when it changes)
//   		    12 Init DB	shop
//   2023-11-23T23:13:55.123456Z	   12 Query	SELECT 1      (MySQL)
//
// makes it a log. In a log, `Query`, `Prepare` and `Execute` entries are statements (a line that
// is not an entry continues the previous statement: a query with newlines), `Connect`, `Init DB`,
// `Change user`, `Reset connection` and `Quit` follow each thread's session, and every other
// entry is skipped. Each entry
// carries the log's time: its own, or in a MariaDB log (which prints the time only when it
// changes) the last one printed before it.
// In a plain file, blank lines and lines holding only comments are skipped.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/explain/log_time.hpp"

namespace rwproxy::explain {

enum class EntryKind : std::uint8_t {
  statement,  // `text` is SQL
  connect,    // `text` is the Connect argument: "user@host on schema using TCP/IP"
  init_db,    // `text` is the new default schema
  quit,       // the thread ended
  change_user,       // COM_CHANGE_USER; `text` is its argument: "user@host on schema ..." (as Connect)
  reset_connection,  // COM_RESET_CONNECTION
};

// Which command carried a statement: COM_QUERY, COM_STMT_PREPARE or COM_STMT_EXECUTE (a log's
// Execute entry shows the prepared text with the parameters' values in place).
enum class StatementCommand : std::uint8_t { query, prepare, execute };

struct StatementEntry {
  EntryKind kind = EntryKind::statement;
  std::uint64_t thread = 0;  // the log's thread id; 0 in a plain file
  std::string text;
  std::size_t line = 0;      // 1-based line where the entry starts
  StatementCommand command = StatementCommand::query;  // for kind == statement
  // The log's time of the entry (see log_time.hpp); nullopt in a plain file or before the first
  // time a log prints.
  std::optional<LogTime> time;
};

// One general-log entry line, split: views into the line.
struct LogLine {
  std::string_view time;      // the time column; empty when the line has none (MariaDB)
  std::uint64_t thread = 0;
  std::string_view command;   // "Query", "Init DB", ...
  std::string_view argument;  // the rest after the tab (may be empty)
};

// std::nullopt when `line` is not a general-log entry.
std::optional<LogLine> parse_log_line(std::string_view line);

// The user and schema of a Connect entry's argument; nullopt for a failed login.
struct ConnectInfo {
  std::string user;
  std::string schema;  // empty when none
};
std::optional<ConnectInfo> parse_connect(std::string_view argument);

class StatementReader {
 public:
  explicit StatementReader(std::istream& in) : in_(in) {}

  // The next entry, std::nullopt at the end of the input.
  std::optional<StatementEntry> next();

  // Known once next() has returned the first entry (or the end).
  bool general_log() const { return format_ == Format::general_log; }

 private:
  enum class Format { unknown, plain, general_log };

  bool read_line(std::string& line);  // sets current_line_
  void push_back(std::string line);   // the next read_line() returns it again
  void detect_format();
  std::optional<StatementEntry> next_plain();
  std::optional<StatementEntry> next_log();
  // The entry for a parsed log line, or nullopt for the commands that are skipped.
  std::optional<StatementEntry> log_entry(const LogLine& line);
  void read_continuation(StatementEntry& entry);

  std::istream& in_;
  Format format_ = Format::unknown;
  std::size_t line_number_ = 0;   // lines read from the stream
  std::size_t current_line_ = 0;  // number of the line read_line() returned last
  std::optional<LogTime> last_time_;  // the time of the last entry that printed one
  std::optional<std::string> lookahead_;
  std::size_t lookahead_line_ = 0;
};

}  // namespace rwproxy::explain
