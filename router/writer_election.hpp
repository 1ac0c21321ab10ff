// Which backend takes the writes. Pure: the monitor's findings in, the decision out.
//
// Without [monitor] follow_writer the configured master takes them, while it is up. With it, the
// backend that is up with read_only=OFF is the master: a promotion is followed. Two writable
// backends at once (split brain) or none: no backend takes writes until that is resolved.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace rwproxy::router {

// Why writes have nowhere to go (none: they do).
enum class WriterProblem : std::uint8_t {
  none,
  master_down,     // the configured master is down (monitor), or offline by the admin
  no_writer,       // follow_writer: no backend that is up has read_only=OFF
  split_brain,     // follow_writer: more than one backend has read_only=OFF
};
std::string_view to_string(WriterProblem problem);
inline constexpr WriterProblem all_writer_problems[] = {WriterProblem::none, WriterProblem::master_down,
                                                        WriterProblem::no_writer, WriterProblem::split_brain};

struct WriterCandidate {
  bool active = true;                  // configured, not removed, not offline
  bool up = true;                      // reachable (monitor)
  std::optional<bool> writable;        // read_only=OFF; nullopt until checked
  bool configured_master = false;      // role = "master" in the file
};

struct WriterElection {
  std::optional<std::size_t> master;  // index into the candidates
  WriterProblem problem = WriterProblem::none;
  std::vector<std::size_t> writable;  // the candidates found writable (split brain: all of them)
};

// `current`: the master before this election (kept while nothing is known yet).
WriterElection elect_writer(std::span<const WriterCandidate> candidates, bool follow_writer,
                            std::optional<std::size_t> current);

}  // namespace rwproxy::router
