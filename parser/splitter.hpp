// Splits a multi-statement text into statements on ';' outside quotes and comments, the way
// classify() does (a CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT or a compound block takes the
// rest of the text). Each view runs from the statement's first code token to its last, inside
// `sql`: leading/trailing comments and the markers of an executable comment around the whole
// statement ("/*!40101 SET NAMES utf8 */") are left out. Empty statements are skipped.
#pragma once

#include <string_view>
#include <vector>

namespace rwproxy::parser {

std::vector<std::string_view> split_statements(std::string_view sql);

}  // namespace rwproxy::parser
