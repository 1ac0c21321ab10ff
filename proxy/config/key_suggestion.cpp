#include "proxy/config/key_suggestion.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

namespace rwproxy::config {
namespace {

constexpr std::size_t max_typo_edits = 2;

// Levenshtein distance, one row at a time.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string_view> closest_key(std::string_view key,
                                            std::span<const std::string_view> known) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::min(max_typo_edits + 1, key.size());
  for (std::string_view candidate : known) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace rwproxy::config
