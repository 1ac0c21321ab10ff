// Recognises the proxy's own statement `EXPLAIN ROUTE <statement>`, on tokens.
//
//   EXPLAIN ROUTE SELECT * FROM orders WHERE id = 1
//   /* any leading comment */ explain route /* rwproxy:master */ SELECT 1
//
// EXPLAIN is the keyword and ROUTE a bare identifier (both case-insensitive), written as plain
// text (not inside a /*! ... */ executable comment). The statement after ROUTE must start with a
// keyword or '(' (after optional comments), so that MySQL's own `EXPLAIN route` (DESCRIBE of a
// table named route) and `EXPLAIN route id` (one of its columns) still reach the server.
#pragma once

#include <optional>
#include <string_view>

namespace rwproxy::explain {

// The statement to explain: the text after ROUTE, whitespace trimmed (comments after ROUTE, such
// as hints, are kept). std::nullopt when `sql` is not an EXPLAIN ROUTE statement.
std::optional<std::string_view> explain_route_target(std::string_view sql);

}  // namespace rwproxy::explain
