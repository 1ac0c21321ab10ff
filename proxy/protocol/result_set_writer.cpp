#include "proxy/protocol/result_set_writer.hpp"

#include <algorithm>
#include <limits>

#include "proxy/protocol/bytes.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::protocol {

namespace {

constexpr std::uint8_t var_string_type = 0xfd;  // MYSQL_TYPE_VAR_STRING
constexpr std::uint8_t null_value = 0xfb;

std::uint32_t clamp_to_u32(std::size_t n) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
}

std::uint32_t column_length(const TextResultSet& result, std::size_t column) {
  const ResultColumn& spec = result.columns[column];
  if (spec.length != 0) return spec.length;
  std::size_t longest = spec.name.size();
  for (const ResultRow& row : result.rows) {
    if (column < row.size() && row[column]) longest = std::max(longest, row[column]->size());
  }
  return clamp_to_u32(longest);
}

std::string row_payload(const ResultRow& row, std::size_t column_count) {
  std::string payload;
  Writer w(payload);
  for (std::size_t i = 0; i < column_count; ++i) {
    if (i < row.size() && row[i]) {
      w.lenenc_string(*row[i]);
    } else {
      w.u8(null_value);
    }
  }
  return payload;
}

std::string eof_payload(const ResultSetFormat& format) {
  std::string payload;
  EofPacket{format.warnings, format.status_flags}.serialize(payload);
  return payload;
}

std::string terminator_payload(const ResultSetFormat& format) {
  if (!(format.capabilities & capability::deprecate_eof)) return eof_payload(format);
  OkPacket ok;
  ok.status_flags = format.status_flags;
  ok.warnings = format.warnings;
  std::string payload;
  ok.serialize(payload, eof_header);
  return payload;
}

}  // namespace

void ResultColumn::serialize(std::string& out, std::uint32_t column_length) const {
  Writer w(out);
  w.lenenc_string("def");  // catalog
  w.lenenc_string("");     // schema
  w.lenenc_string("");     // table
  w.lenenc_string("");     // org_table
  w.lenenc_string(name);
  w.lenenc_string(name);   // org_name
  w.u8(0x0c);              // length of the fixed-length fields
  w.u16(collation);
  w.u32(column_length);
  w.u8(var_string_type);
  w.u16(0);                // flags: nullable, no key
  w.u8(0);                 // decimals
  w.u16(0);                // filler
}

std::uint8_t append_text_result_set(std::string& out, const TextResultSet& result, const ResultSetFormat& format,
                                    std::uint8_t sequence_id) {
  const std::size_t column_count = result.columns.size();
  std::string payload;
  Writer(payload).lenenc_int(column_count);
  sequence_id = append_frames(out, payload, sequence_id);
  for (std::size_t i = 0; i < column_count; ++i) {
    payload.clear();
    result.columns[i].serialize(payload, column_length(result, i));
    sequence_id = append_frames(out, payload, sequence_id);
  }
  if (!(format.capabilities & capability::deprecate_eof)) {
    sequence_id = append_frames(out, eof_payload(format), sequence_id);
  }
  for (const ResultRow& row : result.rows) {
    sequence_id = append_frames(out, row_payload(row, column_count), sequence_id);
  }
  return append_frames(out, terminator_payload(format), sequence_id);
}

}  // namespace rwproxy::protocol
