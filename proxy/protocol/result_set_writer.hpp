// A text-protocol result set written by the proxy itself (EXPLAIN ROUTE and other statements it
// answers without a backend). Pure: builds frames in a buffer, no I/O.
//
// Layout (Protocol::ColumnCount, ColumnDefinition41, ResultsetRow):
//   column count | column definitions | EOF (not under CLIENT_DEPRECATE_EOF) | rows |
//   EOF, or an OK with the 0xfe header under CLIENT_DEPRECATE_EOF
// Every column is VAR_STRING (0xfd) with catalog "def" and empty schema/table names; values are
// length-encoded strings, NULL is 0xfb. Packets over 16 MiB are split into continuation frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/protocol/constants.hpp"

namespace rwproxy::protocol {

struct ResultColumn {
  std::string name;
  std::uint16_t collation = default_collation;  // utf8mb4_general_ci
  std::uint32_t length = 0;  // column length in bytes; 0: the longest value (or the name) in bytes

  // Protocol::ColumnDefinition41 for a VAR_STRING column of `column_length` bytes.
  void serialize(std::string& out, std::uint32_t column_length) const;
};

using ResultRow = std::vector<std::optional<std::string>>;  // nullopt: SQL NULL

struct TextResultSet {
  std::vector<ResultColumn> columns;  // at least one: a count of 0 would read as an OK packet
  std::vector<ResultRow> rows;        // a row shorter than `columns` is padded with NULLs,
                                      // values past the last column are left out
};

// How the result set ends and which capabilities the client negotiated.
struct ResultSetFormat {
  std::uint32_t capabilities = 0;  // only CLIENT_DEPRECATE_EOF matters
  std::uint16_t status_flags = server_status::autocommit;  // in the EOF packets / final OK
  std::uint16_t warnings = 0;
};

// Appends the whole result set as frames whose sequence ids start at `sequence_id` (1 in reply
// to a command). Returns the sequence id following the last frame.
std::uint8_t append_text_result_set(std::string& out, const TextResultSet& result, const ResultSetFormat& format,
                                    std::uint8_t sequence_id);

}  // namespace rwproxy::protocol
