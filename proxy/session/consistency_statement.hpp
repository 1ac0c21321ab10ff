// Recognises, on tokens, the statements the proxy answers itself for consistency tokens:
//
//   SELECT rwproxy_consistency_token()                 the session's token, as a one-row result
//   SET @rwproxy_consistency_token = 'rwp1.0-1-100'    read at least that position from now on
//   SET @rwproxy_consistency_token = NULL   (or '')    stop requiring a token
//
// Names are case-insensitive, comments may stand anywhere, one trailing ';' is allowed. Anything
// else (other columns, other variables in the same SET, a user variable of another name) is not
// one of these statements and goes to the server as usual.
#pragma once

#include <optional>
#include <string_view>

namespace rwproxy::session {

struct ConsistencyStatement {
  enum class Kind { get_token, set_token };
  Kind kind = Kind::get_token;
  std::optional<std::string_view> value;  // set_token: the string's content; nullopt for NULL
};

std::optional<ConsistencyStatement> consistency_statement(std::string_view sql);

inline constexpr std::string_view consistency_token_function = "rwproxy_consistency_token";
inline constexpr std::string_view consistency_token_variable = "@rwproxy_consistency_token";
// The hint that carries a token for one statement: /* rwproxy:consistency_token=rwp1.0-1-100 */
inline constexpr std::string_view consistency_token_hint = "consistency_token";

}  // namespace rwproxy::session
