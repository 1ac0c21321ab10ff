#include "proxy/session/prepare_response_cache.hpp"

#include "proxy/protocol/frame_reader.hpp"

namespace rwproxy::session {

std::string PrepareResponseCache::key(std::string_view user, std::uint32_t capabilities, std::uint16_t collation,
                                      std::string_view schema, std::uint64_t settings, std::string_view sql) {
  std::string out;
  out.reserve(user.size() + schema.size() + sql.size() + 16);
  out.append(user);
  out.push_back('\0');
  auto append_le = [&out](std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  };
  append_le(capabilities, 4);
  append_le(collation, 2);
  append_le(settings, 8);
  out.append(schema);
  out.push_back('\0');
  out.append(sql);
  return out;
}

void append_prepare_response(std::string& frames, std::uint32_t statement_id, const PrepareResponse& response) {
  std::string ok(12, '\0');  // 0x00, id, columns, params, filler, warnings
  for (int i = 0; i < 4; ++i) ok[1 + i] = static_cast<char>((statement_id >> (8 * i)) & 0xff);
  ok[5] = static_cast<char>(response.columns & 0xff);
  ok[6] = static_cast<char>(response.columns >> 8);
  ok[7] = static_cast<char>(response.params & 0xff);
  ok[8] = static_cast<char>(response.params >> 8);
  ok[10] = static_cast<char>(response.warnings & 0xff);
  ok[11] = static_cast<char>(response.warnings >> 8);
  std::uint8_t sequence = protocol::append_frames(frames, ok, 1);
  for (const std::string& packet : response.packets) sequence = protocol::append_frames(frames, packet, sequence);
}

}  // namespace rwproxy::session
