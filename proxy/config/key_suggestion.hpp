// Internal to the loader: "did you mean ...?" for a misspelt key.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace rwproxy::config {

// The known key closest to `key` by edit distance, if it is close enough to be a typo
// (at most 2 edits, and fewer edits than the key has characters).
std::optional<std::string_view> closest_key(std::string_view key,
                                            std::span<const std::string_view> known);

}  // namespace rwproxy::config
