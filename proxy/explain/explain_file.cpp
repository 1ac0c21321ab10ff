#include "proxy/explain/explain_file.hpp"

#include <string>
#include <string_view>
#include <unordered_map>

#include "proxy/explain/explain_statement.hpp"
#include "proxy/explain/explanation_rows.hpp"
#include "proxy/explain/route_explanation.hpp"
#include "proxy/explain/statement_reader.hpp"

namespace rwproxy::explain {

namespace {

// What a general-log thread has told us about its session.
struct ThreadContext {
  std::string user;
  std::string schema;
};

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

bool hints_allowed(const config::Config& config, std::string_view user) {
  const config::User* configured = config.find_user(user);
  return configured ? config.hints_allowed(*configured) : config.routing.hints;
}

void write_line(std::ostream& out, const RouteExplanation& e) {
  out << e.target << '\t' << router::to_string(e.route.reason) << '\t' << one_line(rule_summary(e)) << '\t'
      << one_line(e.digest.text) << '\n';
}

void count(ExplainFileSummary& summary, router::Target target) {
  ++summary.statements;
  switch (target) {
    case router::Target::master: ++summary.to_master; break;
    case router::Target::replica: ++summary.to_replica; break;
    case router::Target::error: ++summary.errors; break;
  }
}

}  // namespace

router::ReplicaSnapshot healthy_snapshot(const config::Config& config) {
  router::ReplicaSnapshot snapshot;
  for (const config::Backend* replica : config.replicas()) {
    snapshot.replicas.push_back(router::ReplicaState{replica->name, replica->weight, true, true, 0, std::nullopt});
  }
  return snapshot;
}

ExplainFileSummary explain_file(std::istream& in, std::ostream& out, const router::RoutingPolicy& policy,
                                const config::Config& config) {
  return explain_file(in, out, policy, config, healthy_snapshot(config));
}

ExplainFileSummary explain_file(std::istream& in, std::ostream& out, const router::RoutingPolicy& policy,
                                const config::Config& config, const router::ReplicaSnapshot& replicas) {
  ExplainFileSummary summary;
  StatementReader reader(in);
  std::unordered_map<std::uint64_t, ThreadContext> threads;
  while (std::optional<StatementEntry> entry = reader.next()) {
    ThreadContext& thread = threads[entry->thread];
    switch (entry->kind) {
      case EntryKind::connect:
        if (auto connect = parse_connect(entry->text)) thread = ThreadContext{connect->user, connect->schema};
        continue;
      case EntryKind::init_db: thread.schema = entry->text; continue;
      case EntryKind::quit: threads.erase(entry->thread); continue;
      case EntryKind::statement: break;
    }
    const std::string_view sql = explain_route_target(entry->text).value_or(entry->text);
    router::RoutingSession session;
    session.user = thread.user;
    session.schema = thread.schema;
    session.hints_allowed = hints_allowed(config, thread.user);
    const RouteExplanation explanation = explain(sql, session, replicas, policy, config, router::Clock::time_point{});
    write_line(out, explanation);
    count(summary, explanation.route.target);
    if (explanation.info.session.use_schema) thread.schema = explanation.info.session.schema;
  }
  summary.general_log = reader.general_log();
  return summary;
}

}  // namespace rwproxy::explain
