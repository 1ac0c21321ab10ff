#include "proxy/admin/admin_tables.hpp"

#include <string>

#include "proxy/admin/admin_command.hpp"

namespace rwproxy::admin {

namespace {

protocol::TextResultSet with_columns(std::initializer_list<const char*> names) {
  protocol::TextResultSet out;
  for (const char* name : names) out.columns.push_back(protocol::ResultColumn{name});
  return out;
}

std::string text(std::uint64_t v) { return std::to_string(v); }
std::string text(std::int64_t v) { return std::to_string(v); }

}  // namespace

protocol::TextResultSet backends_table(const std::vector<BackendRow>& rows) {
  auto out = with_columns({"name", "role", "state", "health", "host", "port", "weight", "lag_ms", "read_only",
                           "connections_open", "connections_busy", "connections_idle", "statements",
                           "connect_errors", "lost_connections"});
  for (const BackendRow& b : rows) {
    protocol::ResultRow row{b.name, b.role, b.state, b.health, b.host, text(std::uint64_t{b.port}),
                            text(std::uint64_t{b.weight})};
    row.push_back(b.lag_ms ? std::optional<std::string>(text(std::uint64_t{*b.lag_ms})) : std::nullopt);
    row.push_back(b.read_only ? std::optional<std::string>(*b.read_only ? "ON" : "OFF") : std::nullopt);
    for (std::int64_t v : {b.connections_open, b.connections_busy, b.connections_idle}) row.push_back(text(v));
    for (std::uint64_t v : {b.statements, b.connect_errors, b.lost_connections}) row.push_back(text(v));
    out.rows.push_back(std::move(row));
  }
  return out;
}

protocol::TextResultSet sessions_table(const std::vector<session::SessionSummary>& rows) {
  auto out = with_columns({"id", "client", "user", "schema", "state", "bound", "tls", "backends"});
  for (const session::SessionSummary& s : rows) {
    out.rows.push_back(protocol::ResultRow{text(std::uint64_t{s.id}), s.client, s.user, s.schema, s.state,
                                           s.bound.empty() ? std::nullopt : std::optional<std::string>(s.bound),
                                           std::string(s.tls ? "yes" : "no"), s.backends});
  }
  return out;
}

protocol::TextResultSet digests_table(const std::vector<DigestRow>& rows, std::uint64_t limit) {
  auto out = with_columns({"digest", "digest_text", "count_star", "sum_time_us", "max_time_us", "sum_rows_sent",
                           "sum_rows_affected", "on_master", "on_replica"});
  for (const DigestRow& d : rows) {
    if (limit != 0 && out.rows.size() >= limit) break;
    out.rows.push_back(protocol::ResultRow{d.hash, d.text, text(d.count), text(d.sum_us), text(d.max_us),
                                           text(d.rows_sent), text(d.rows_affected), text(d.on_master),
                                           text(d.on_replica)});
  }
  return out;
}

protocol::TextResultSet settings_table(const Settings& settings, const char* name_column, const char* value_column) {
  auto out = with_columns({name_column, value_column});
  for (const auto& [name, value] : settings) out.rows.push_back(protocol::ResultRow{name, value});
  return out;
}

protocol::TextResultSet help_table() {
  auto out = with_columns({"command", "description"});
  for (const auto& [command, description] : admin_help) {
    out.rows.push_back(protocol::ResultRow{std::string(command), std::string(description)});
  }
  return out;
}

}  // namespace rwproxy::admin
