#include "router/consistency_token.hpp"

#include <algorithm>

namespace rwproxy::router {

std::string encode_consistency_token(const GtidPosition& position) {
  std::string token(consistency_token_prefix);
  std::string gtids = position.to_string();
  std::replace(gtids.begin(), gtids.end(), ',', '.');
  return token + gtids;
}

std::optional<GtidPosition> decode_consistency_token(std::string_view token) {
  if (token.size() > 4096 || token.substr(0, consistency_token_prefix.size()) != consistency_token_prefix) {
    return std::nullopt;
  }
  std::string gtids(token.substr(consistency_token_prefix.size()));
  if (gtids.find_first_of(", \t\n") != std::string::npos) return std::nullopt;  // only our own form
  std::replace(gtids.begin(), gtids.end(), '.', ',');
  return GtidPosition::parse(gtids);
}

}  // namespace rwproxy::router
