#include "router/writer_election.hpp"

namespace rwproxy::router {

std::string_view to_string(WriterProblem problem) {
  switch (problem) {
    case WriterProblem::none: return "none";
    case WriterProblem::master_down: return "master_down";
    case WriterProblem::no_writer: return "no_writer";
    case WriterProblem::split_brain: return "split_brain";
  }
  return "none";
}

WriterElection elect_writer(std::span<const WriterCandidate> candidates, bool follow_writer,
                            std::optional<std::size_t> current) {
  WriterElection out;
  if (!follow_writer) {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (!candidates[i].configured_master) continue;
      out.master = i;
      if (!candidates[i].active || !candidates[i].up) out.problem = WriterProblem::master_down;
      return out;
    }
    out.problem = WriterProblem::master_down;
    return out;
  }
  bool any_unknown = false;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const WriterCandidate& c = candidates[i];
    if (!c.active || !c.up) continue;
    if (!c.writable) any_unknown = true;
    if (c.writable.value_or(false)) out.writable.push_back(i);
  }
  if (out.writable.size() == 1) {
    out.master = out.writable.front();
    return out;
  }
  if (out.writable.size() > 1) {
    out.problem = WriterProblem::split_brain;
    return out;
  }
  // Nobody writable yet: a master not checked yet (the proxy just started, or the backend is
  // new) keeps the writes; one checked read-only, or down, does not.
  if (current && *current < candidates.size()) {
    const WriterCandidate& c = candidates[*current];
    if (c.active && c.up && !c.writable && any_unknown) {
      out.master = current;
      return out;
    }
  }
  out.problem = WriterProblem::no_writer;
  return out;
}

}  // namespace rwproxy::router
