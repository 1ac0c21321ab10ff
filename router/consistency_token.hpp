// The portable consistency token: a GTID position in a printable form that is safe in a cookie,
// a URL, an HTTP header and a SQL comment hint ("rwp1.0-1-100.1-2-7"). It carries no secret and
// needs no state shared between proxy instances: any rwproxy can read it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "router/gtid_position.hpp"

namespace rwproxy::router {

inline constexpr std::string_view consistency_token_prefix = "rwp1.";

// "rwp1." followed by the position's GTIDs separated by '.' ("rwp1." alone: no position).
std::string encode_consistency_token(const GtidPosition& position);
// nullopt when `token` is not a token of this format (wrong prefix, malformed GTIDs).
std::optional<GtidPosition> decode_consistency_token(std::string_view token);

}  // namespace rwproxy::router
