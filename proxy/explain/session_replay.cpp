#include "proxy/explain/session_replay.hpp"

#include <algorithm>

#include "parser/classifier.hpp"
#include "parser/digest.hpp"
#include "proxy/explain/explain_statement.hpp"
#include "proxy/explain/session_facts.hpp"
#include "proxy/session/consistency_statement.hpp"
#include "proxy/session/statement_routing.hpp"
#include "router/consistency_token.hpp"

namespace rwproxy::explain {

namespace {

using router::Target;

bool hints_allowed(const config::Config& config, std::string_view user) {
  const config::User* configured = config.find_user(user);
  return configured ? config.hints_allowed(*configured) : config.routing.hints;
}

bool is_read(const parser::StatementInfo& info) { return info.read_only_safe && !info.writes; }

}  // namespace

SessionReplay::SessionReplay(const config::Config& config, std::string user, std::string schema)
    : user_(std::move(user)),
      hints_allowed_(hints_allowed(config, user_)),
      tracks_state_change_(config.multiplexing_for(user_)),
      state_(std::move(schema)) {}

ReplayedStatement SessionReplay::answered_by_proxy(std::string_view sql, std::string facts) const {
  ReplayedStatement out;
  out.explanation.statement = std::string(sql);
  out.explanation.digest = parser::digest(sql);
  out.explanation.target = "proxy";
  out.facts = std::move(facts);
  out.routed = false;
  return out;
}

ReplayedStatement SessionReplay::run(std::string_view sql, std::string_view record_sql,
                                     const router::GtidPosition* statement_token, router::Clock::time_point now,
                                     const ReplayContext& context, Step step) {
  router::GtidPosition with_token;
  const router::RoutingSession view =
      session::session_view(state_, consistency_, user_, hints_allowed_, statement_token, with_token);
  ReplayedStatement out;
  out.explanation = explain(sql, view, context.replicas, context.policy, context.config, now);
  router::Route& route = out.explanation.route;
  if (step == Step::prepare) {  // prepared where a read would go, without waiting; else on the master
    if (route.target == Target::error) {
      route = router::Route{Target::master, route.reason, 0, route.rule};
      out.explanation.target = "master";
    }
    route.wait_for.reset();
  }
  out.facts = session_facts(state_, view, out.explanation, now, context.policy);
  const parser::StatementInfo& info = out.explanation.info;
  out.read = is_read(info);
  if (step != Step::record || route.target == Target::error) return out;  // ERR 1105: nothing ran
  ServerModel::Reply reply = server_.run(info, tracks_state_change_);
  if (reply.committed_write) consistency_.note_committed(context.gtids.next());
  const std::optional<std::size_t> replica =
      route.target == Target::replica ? std::optional<std::size_t>(route.replica) : std::nullopt;
  session::after_statement(state_, consistency_, info, record_sql, route, replica, reply.reply, now);
  return out;
}

ReplayedStatement SessionReplay::query(std::string_view sql, router::Clock::time_point now,
                                       const ReplayContext& context) {
  echo_ = parser::StatementKind::unknown;
  if (auto target = explain_route_target(sql)) {
    ReplayedStatement out = run(*target, *target, nullptr, now, context, Step::explain_only);
    out.routed = false;  // EXPLAIN ROUTE answers with the decision; the statement does not run
    return out;
  }
  if (auto statement = session::consistency_statement(sql)) {
    if (statement->kind == session::ConsistencyStatement::Kind::get_token) return answered_by_proxy(sql, "-");
    std::optional<router::GtidPosition> position = router::GtidPosition{};
    if (statement->value && !statement->value->empty()) position = router::decode_consistency_token(*statement->value);
    if (!position) return answered_by_proxy(sql, "malformed_token");
    consistency_.present_token(std::move(*position));
    return answered_by_proxy(sql, "-");
  }
  const parser::StatementInfo info = parser::classify(sql);
  std::optional<router::GtidPosition> hinted;
  if (hints_allowed_) {
    if (const std::string* value = info.hint.find(session::consistency_token_hint)) {
      hinted = router::decode_consistency_token(*value);
      if (!hinted) return answered_by_proxy(sql, "malformed_token");
    }
  }
  if (info.kind == parser::StatementKind::prepare || info.kind == parser::StatementKind::execute) echo_ = info.kind;
  return run(sql, sql, hinted ? &*hinted : nullptr, now, context, Step::record);
}

bool SessionReplay::is_echo(parser::StatementKind kind) {
  const bool echo = echo_ == kind;
  echo_ = parser::StatementKind::unknown;
  return echo;
}

std::optional<ReplayedStatement> SessionReplay::prepare(std::string_view sql, router::Clock::time_point now,
                                                        const ReplayContext& context) {
  if (is_echo(parser::StatementKind::prepare)) return std::nullopt;
  ReplayedStatement out = run(sql, sql, nullptr, now, context, Step::prepare);
  prepared_.push_back(Prepared{out.explanation.digest.text, std::string(sql)});
  return out;
}

std::optional<ReplayedStatement> SessionReplay::execute(std::string_view sql, router::Clock::time_point now,
                                                        const ReplayContext& context) {
  if (is_echo(parser::StatementKind::execute)) return std::nullopt;
  const std::string digest = parser::digest(sql).text;
  const auto found = std::find_if(prepared_.rbegin(), prepared_.rend(),
                                  [&](const Prepared& p) { return p.digest == digest; });
  const std::string text = found != prepared_.rend() ? found->sql : std::string(sql);
  // The proxy records an EXECUTE without its text (a SET in it cannot be replayed).
  return run(text, {}, nullptr, now, context, Step::record);
}

ReplayedStatement SessionReplay::on_master(std::string command) {
  echo_ = parser::StatementKind::unknown;
  ReplayedStatement out;
  RouteExplanation& e = out.explanation;
  e.statement = std::move(command);
  e.digest.text = e.statement;
  e.route = router::Route{Target::master, router::Reason::session_state, 0, std::nullopt};
  e.target = "master";
  out.facts = "-";
  return out;
}

ReplayedStatement SessionReplay::init_db(std::string schema) {
  ReplayedStatement out = on_master("Init DB " + schema);
  state_.set_schema(std::move(schema));
  state_.note_status(server_.status_flags());
  return out;
}

ReplayedStatement SessionReplay::reset_connection() {
  ReplayedStatement out = on_master("Reset connection");
  state_.reset(state_.schema());
  consistency_.reset();
  prepared_.clear();
  server_ = ServerModel{};
  return out;
}

}  // namespace rwproxy::explain
