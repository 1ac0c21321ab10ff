#include "router/gtid_position.hpp"

#include <algorithm>
#include <charconv>

#include "parser/char_class.hpp"

namespace rwproxy::router {

namespace {

using parser::chars::trim;

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::optional<Gtid> parse_gtid(std::string_view text) {
  const auto first = text.find('-');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find('-', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  Gtid gtid;
  if (!parse_number(text.substr(0, first), gtid.domain) ||
      !parse_number(text.substr(first + 1, second - first - 1), gtid.server_id) ||
      !parse_number(text.substr(second + 1), gtid.sequence)) {
    return std::nullopt;
  }
  return gtid;
}

}  // namespace

std::optional<GtidPosition> GtidPosition::parse(std::string_view text) {
  GtidPosition position;
  text = trim(text);
  if (text.empty()) return position;
  for (;;) {
    const auto comma = text.find(',');
    auto gtid = parse_gtid(trim(text.substr(0, comma)));
    if (!gtid) return std::nullopt;
    auto at = position.slot(gtid->domain);
    if (at != position.gtids_.end() && at->domain == gtid->domain) return std::nullopt;  // a domain twice
    position.gtids_.insert(at, *gtid);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return position;
}

std::vector<Gtid>::iterator GtidPosition::slot(std::uint32_t domain) {
  return std::lower_bound(gtids_.begin(), gtids_.end(), domain,
                          [](const Gtid& g, std::uint32_t d) { return g.domain < d; });
}

bool GtidPosition::covers(const GtidPosition& other) const {
  auto mine = gtids_.begin();
  for (const Gtid& wanted : other.gtids_) {
    while (mine != gtids_.end() && mine->domain < wanted.domain) ++mine;
    if (mine == gtids_.end() || mine->domain != wanted.domain || mine->sequence < wanted.sequence) return false;
  }
  return true;
}

void GtidPosition::merge(const Gtid& gtid) {
  auto at = slot(gtid.domain);
  if (at == gtids_.end() || at->domain != gtid.domain) {
    gtids_.insert(at, gtid);
  } else if (gtid.sequence > at->sequence) {
    *at = gtid;
  }
}

void GtidPosition::merge(const GtidPosition& other) {
  for (const Gtid& gtid : other.gtids_) merge(gtid);
}

std::string GtidPosition::to_string() const {
  std::string out;
  for (const Gtid& gtid : gtids_) {
    if (!out.empty()) out += ',';
    out += std::to_string(gtid.domain);
    out += '-';
    out += std::to_string(gtid.server_id);
    out += '-';
    out += std::to_string(gtid.sequence);
  }
  return out;
}

}  // namespace rwproxy::router
