// The admin interface's answers as result sets. Pure.
#pragma once

#include <vector>

#include "proxy/admin/admin_source.hpp"
#include "proxy/protocol/result_set_writer.hpp"

namespace rwproxy::admin {

protocol::TextResultSet backends_table(const std::vector<BackendRow>& rows);
protocol::TextResultSet sessions_table(const std::vector<session::SessionSummary>& rows);
// `limit` 0: all rows.
protocol::TextResultSet digests_table(const std::vector<DigestRow>& rows, std::uint64_t limit);
protocol::TextResultSet settings_table(const Settings& settings, const char* name_column, const char* value_column);
protocol::TextResultSet help_table();

}  // namespace rwproxy::admin
