#include "proxy/session/prepare_response_cache.hpp"

#include "proxy/protocol/frame_reader.hpp"

namespace rwproxy::session {

std::string PrepareResponseCache::key(std::string_view user, std::uint32_t capabilities, std::string_view schema,
                                      std::string_view sql) {
  std::string out;
  out.reserve(user.size() + schema.size() + sql.size() + 8);
  out.append(user);
  out.push_back('\0');
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((capabilities >> (8 * i)) & 0xff));
  out.append(schema);
  out.push_back('\0');
  out.append(sql);
  return out;
}

const PrepareResponse* PrepareResponseCache::find(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->second;
}

void PrepareResponseCache::add(std::string key, PrepareResponse response) {
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(response);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(std::move(key), std::move(response));
  index_.emplace(lru_.front().first, lru_.begin());
  if (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
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
