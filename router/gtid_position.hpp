// A MariaDB GTID position: per replication domain, the last transaction applied
// ("0-1-100,1-2-7" = domain 0 up to sequence 100 from server 1, domain 1 up to 7 from server 2).
// Pure value type: parse, compare ("covers"), merge, format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::router {

struct Gtid {
  std::uint32_t domain = 0;
  std::uint32_t server_id = 0;
  std::uint64_t sequence = 0;

  bool operator==(const Gtid&) const = default;
};

class GtidPosition {
 public:
  GtidPosition() = default;

  // MariaDB's text form: GTIDs "domain-server-sequence" separated by commas, spaces around them
  // allowed; "" is the empty position. nullopt when malformed (bad number, missing part, two
  // GTIDs for one domain).
  static std::optional<GtidPosition> parse(std::string_view text);

  bool empty() const { return gtids_.empty(); }
  // True when, in every domain of `other`, this position is at or past other's sequence.
  // Everything covers the empty position.
  bool covers(const GtidPosition& other) const;
  // Per domain, the later of the two (sequence numbers grow within a domain under
  // gtid_strict_mode).
  void merge(const GtidPosition& other);
  void merge(const Gtid& gtid);

  // MariaDB's text form, domains in ascending order: "0-1-100,1-2-7".
  std::string to_string() const;
  const std::vector<Gtid>& gtids() const { return gtids_; }  // sorted by domain

  bool operator==(const GtidPosition&) const = default;

 private:
  // Where `domain` is, or would be inserted, in gtids_.
  std::vector<Gtid>::iterator slot(std::uint32_t domain);

  std::vector<Gtid> gtids_;
};

}  // namespace rwproxy::router
