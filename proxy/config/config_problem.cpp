#include "proxy/config/config_problem.hpp"

namespace rwproxy::config {

std::string format_problems(const std::vector<ConfigProblem>& problems) {
  std::string text;
  for (const ConfigProblem& problem : problems) {
    text += problem.source;
    text += ": ";
    if (!problem.key_path.empty()) {
      text += problem.key_path;
      text += ": ";
    }
    text += problem.message;
    text += '\n';
  }
  return text;
}

}  // namespace rwproxy::config
