// Routing hints written in comments:
//
//   /* rwproxy:master */            send to the master
//   /* rwproxy:replica */           send to a replica
//   /* rwproxy:key=value,k2=v2 */   parameters for the router (e.g. a consistency token)
//   /* app=shop rwproxy:replica,max_lag=2 */   directives may sit among other text
//
// A directive is "rwproxy:" (case-insensitive, at the start of a word) followed by items
// separated by ','; an item is `master`, `replica`, `key=value` or a bare `key`. Keys are
// [A-Za-z0-9_.-]+ and lower-cased; a value runs to whitespace or ','. Several directives
// accumulate; if both master and replica appear, master wins. At most kMaxHintParams params.
//
// classify() looks for directives only in comments: the ones before the first token of the
// text, and the ones directly after its first keyword ("SELECT /* rwproxy:master */ ...",
// where MySQL puts optimizer hints). Strings and backticked names are never looked at.
#pragma once

#include <cstddef>
#include <string_view>

#include "parser/statement_info.hpp"

namespace rwproxy::parser {

inline constexpr std::size_t kMaxHintParams = 16;

// Adds the directives found in one comment token's text (markers included) to `hint`.
// classify() feeds it the first statement's leading comments via TokenCursor::collect_hints.
void parse_hint_comment(std::string_view comment, Hint& hint);

}  // namespace rwproxy::parser
