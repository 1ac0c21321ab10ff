#include "proxy/explain/explain_file.hpp"

#include <string>
#include <string_view>
#include <unordered_map>

#include "proxy/explain/explanation_rows.hpp"
#include "proxy/explain/session_replay.hpp"
#include "proxy/explain/statement_reader.hpp"

namespace rwproxy::explain {

namespace {

// A plain file's statements, and log entries before the log's first time, all run at this time.
constexpr router::Clock::time_point kUntimed = router::Clock::time_point{} + std::chrono::hours(24);

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

router::Clock::time_point time_of(const StatementEntry& entry) {
  if (!entry.time) return kUntimed;
  return router::Clock::time_point{} + std::chrono::duration_cast<router::Clock::duration>(entry.time->since_epoch);
}

std::string with_fact(std::string facts, std::string_view fact) {
  if (facts == "-") return std::string(fact);
  return std::string(fact) + " " + facts;
}

void write_line(std::ostream& out, const ReplayedStatement& s, std::uint64_t thread) {
  const RouteExplanation& e = s.explanation;
  const bool by_proxy = e.target == "proxy";
  out << e.target << '\t' << (by_proxy ? std::string_view("-") : router::to_string(e.route.reason)) << '\t'
      << (by_proxy ? std::string("-") : one_line(rule_summary(e))) << '\t' << thread << '\t' << s.facts << '\t'
      << one_line(e.digest.text) << '\n';
}

// The sessions of a replay, by log thread.
class Sessions {
 public:
  explicit Sessions(const ReplayContext& context) : context_(context) {}

  SessionReplay& of(std::uint64_t thread) {
    auto it = sessions_.find(thread);
    if (it == sessions_.end()) it = start(thread, {}, {});
    return it->second;
  }
  void connect(std::uint64_t thread, std::string user, std::string schema) {
    sessions_.erase(thread);
    start(thread, std::move(user), std::move(schema));
  }
  void quit(std::uint64_t thread) { sessions_.erase(thread); }
  std::size_t started() const { return started_; }

 private:
  std::unordered_map<std::uint64_t, SessionReplay>::iterator start(std::uint64_t thread, std::string user,
                                                                   std::string schema) {
    ++started_;
    return sessions_.try_emplace(thread, context_.config, std::move(user), std::move(schema)).first;
  }

  const ReplayContext& context_;
  std::unordered_map<std::uint64_t, SessionReplay> sessions_;
  std::size_t started_ = 0;
};

// std::nullopt for a log entry that is no command of the client's (see SessionReplay).
std::optional<ReplayedStatement> replay(SessionReplay& session, const StatementEntry& entry,
                                        const ReplayContext& context) {
  const router::Clock::time_point now = time_of(entry);
  switch (entry.command) {
    case StatementCommand::prepare: {
      std::optional<ReplayedStatement> out = session.prepare(entry.text, now, context);
      if (out) out->facts = with_fact(std::move(out->facts), "com_stmt_prepare");
      return out;
    }
    case StatementCommand::execute: {
      std::optional<ReplayedStatement> out = session.execute(entry.text, now, context);
      if (out) out->facts = with_fact(std::move(out->facts), "com_stmt_execute");
      return out;
    }
    case StatementCommand::query: break;
  }
  ReplayedStatement out = session.query(entry.text, now, context);
  if (!out.routed && out.explanation.target != "proxy") out.facts = with_fact(std::move(out.facts), "explain_route");
  return out;
}

}  // namespace

router::ReplicaSnapshot healthy_snapshot(const config::Config& config) {
  router::ReplicaSnapshot snapshot;
  for (const config::Backend* replica : config.replicas()) {
    router::ReplicaState& state = snapshot.replicas.emplace_back();
    state.name = replica->name;
    state.weight = replica->weight;
    state.up = true;
    state.lag_admitted = true;
    state.lag_ms = 0;
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
  GtidSequence gtids;
  const ReplayContext context{config, policy, replicas, gtids};
  Sessions sessions(context);
  StatementReader reader(in);
  while (std::optional<StatementEntry> entry = reader.next()) {
    switch (entry->kind) {
      case EntryKind::connect:
        if (auto connect = parse_connect(entry->text)) sessions.connect(entry->thread, connect->user, connect->schema);
        continue;
      case EntryKind::change_user:  // the proxy logs in anew: a fresh session, nothing routed
        if (auto login = parse_connect(entry->text)) sessions.connect(entry->thread, login->user, login->schema);
        continue;
      case EntryKind::quit: sessions.quit(entry->thread); continue;
      case EntryKind::init_db:
      case EntryKind::reset_connection: {
        SessionReplay& session = sessions.of(entry->thread);
        const ReplayedStatement s =
            entry->kind == EntryKind::init_db ? session.init_db(entry->text) : session.reset_connection();
        write_line(out, s, entry->thread);
        summary.add(s);
        continue;
      }
      case EntryKind::statement: break;
    }
    const std::optional<ReplayedStatement> s = replay(sessions.of(entry->thread), *entry, context);
    if (!s) continue;
    write_line(out, *s, entry->thread);
    summary.add(*s);
  }
  summary.general_log = reader.general_log();
  summary.sessions = sessions.started();
  write_summary(out, summary);
  return summary;
}

}  // namespace rwproxy::explain
