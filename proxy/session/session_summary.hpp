// One client session as the admin interface's SHOW SESSIONS lists it.
#pragma once

#include <cstdint>
#include <string>

namespace rwproxy::session {

struct SessionSummary {
  std::uint32_t id = 0;     // the connection id the client was given
  std::string client;       // client address
  std::string user;
  std::string schema;
  std::string state;        // idle | running | in transaction | login
  std::string bound;        // why the session holds its backend connections ("" = not bound)
  bool tls = false;
  std::string backends;     // backends it holds connections to, comma-separated
};

}  // namespace rwproxy::session
