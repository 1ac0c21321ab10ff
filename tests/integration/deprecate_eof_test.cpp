// CLIENT_DEPRECATE_EOF (MySQL 8 connectors prefer it): a client that negotiates it gets result
// sets without EOF packets, ended by an OK packet with the 0xFE header, from replicas, from the
// master, for binary prepared statements and for the proxy's own result sets (EXPLAIN ROUTE); a
// client without it, on the same proxy at the same time, keeps its EOF packets. The client is
// the proxy's own login codec over a raw socket, so the test sees every packet.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "proxy/protocol/client_handshake.hpp"
#include "proxy/protocol/constants.hpp"
#include "tests/integration/support/raw_socket.hpp"
#include "tests/integration/support/replica_proxy_test.hpp"

namespace rwproxy::test {
namespace {

using namespace std::chrono_literals;
namespace capability = protocol::capability;

constexpr std::uint32_t client_capabilities =
    capability::long_password | capability::long_flag | capability::protocol_41 | capability::transactions |
    capability::secure_connection | capability::multi_results | capability::ps_multi_results |
    capability::plugin_auth | capability::connect_with_db;

// How a result set ended, and what was in it.
struct Result {
  std::size_t columns = 0;
  std::size_t eof_packets = 0;  // classic EOF packets seen (after the columns, at the end)
  std::vector<std::string> rows;
  bool ended_by_ok = false;     // the 0xFE-headed OK of CLIENT_DEPRECATE_EOF
  std::uint16_t error = 0;
};

class RawClient {
 public:
  RawClient(std::uint16_t port, const Account& account, const std::string& db, bool deprecate_eof)
      : deprecate_eof_(deprecate_eof) {
    fd_ = connect_tcp(port);
    if (!fd_) throw std::runtime_error("connect failed");
    protocol::ClientHandshake::Settings settings;
    settings.user = account.user;
    settings.stage1 = protocol::sha1(account.password);
    settings.database = db;
    settings.capabilities = client_capabilities | (deprecate_eof ? capability::deprecate_eof : 0u);
    protocol::ClientHandshake handshake(settings);
    for (;;) {
      RawPacket packet = read_packet(fd_.get(), 5s);
      if (packet.status != RawPacket::Status::packet) throw std::runtime_error("login: no packet");
      std::string out;
      auto action = handshake.on_packet(protocol::as_bytes(packet.payload), packet.sequence, out);
      if (action == protocol::ClientHandshake::Action::failed) throw std::runtime_error(handshake.error().message);
      if (action == protocol::ClientHandshake::Action::done) break;
      send_all(fd_.get(), out);
    }
  }

  Result run(std::uint8_t command, const std::string& body) {
    send_all(fd_.get(), frame(0, std::string(1, static_cast<char>(command)) + body));
    return read_result();
  }
  Result query(const std::string& sql) { return run(0x03, sql); }

  // COM_STMT_PREPARE: the statement id; `columns`/`params` counted; EOFs counted into eofs.
  std::uint32_t prepare(const std::string& sql, std::size_t& eofs) {
    send_all(fd_.get(), frame(0, "\x16" + sql));
    RawPacket ok = next();
    if (ok.payload.empty() || ok.payload[0] != '\0') throw std::runtime_error("prepare failed");
    const auto* p = reinterpret_cast<const unsigned char*>(ok.payload.data());
    const std::uint32_t id = p[1] | (p[2] << 8) | (p[3] << 16) | (static_cast<std::uint32_t>(p[4]) << 24);
    const std::size_t columns = p[5] | (p[6] << 8), params = p[7] | (p[8] << 8);
    eofs = 0;
    for (std::size_t block : {params, columns}) {
      if (block == 0) continue;
      for (std::size_t i = 0; i < block; ++i) next();
      if (!deprecate_eof_) {
        eofs += is_eof(next());
      }
    }
    return id;
  }

  Result execute(std::uint32_t id) {
    std::string body(9, '\0');
    for (int i = 0; i < 4; ++i) body[i] = static_cast<char>((id >> (8 * i)) & 0xff);
    body[5] = 1;  // iteration count
    return run(0x17, body);
  }

 private:
  RawPacket next() {
    RawPacket packet = read_packet(fd_.get(), 10s);
    if (packet.status != RawPacket::Status::packet) throw std::runtime_error("no packet");
    return packet;
  }
  // A 4.1 EOF packet is exactly 5 bytes; the OK that replaces it starts with 0xFE too but is longer.
  static bool is_eof(const RawPacket& p) { return p.payload.size() == 5 && p.payload[0] == '\xfe'; }

  Result read_result() {
    Result result;
    RawPacket first = next();
    if (first.is_err()) {
      result.error = first.err_code();
      return result;
    }
    if (first.payload[0] == '\0') return result;  // OK: no result set
    result.columns = static_cast<unsigned char>(first.payload[0]);
    for (std::size_t i = 0; i < result.columns; ++i) next();
    if (!deprecate_eof_) {
      RawPacket eof = next();
      result.eof_packets += is_eof(eof);
    }
    for (;;) {
      RawPacket row = next();
      if (row.is_err()) {
        result.error = row.err_code();
        return result;
      }
      if (!row.payload.empty() && row.payload[0] == '\xfe' && row.payload.size() < 0xffffff) {
        if (is_eof(row)) {
          ++result.eof_packets;
        } else {
          result.ended_by_ok = true;
        }
        return result;
      }
      result.rows.push_back(row.payload);
    }
  }

  UniqueFd fd_;
  bool deprecate_eof_;
};

class DeprecateEofTest : public ReplicaProxyTest {};

TEST_F(DeprecateEofTest, ResultSetsEndWithAnOkForClientsThatAskAndWithEofsForTheOthers) {
  RawClient modern(proxy().port(), topology_.app, topology_.app_db, true);
  RawClient classic(proxy().port(), topology_.app, topology_.app_db, false);
  for (int i = 0; i < 3; ++i) {  // interleaved on the same pools
    const Result a = modern.query("SELECT 1, 'two'");
    EXPECT_EQ(a.columns, 2u);
    EXPECT_EQ(a.rows.size(), 1u);
    EXPECT_EQ(a.eof_packets, 0u);
    EXPECT_TRUE(a.ended_by_ok);
    const Result b = classic.query("SELECT 1, 'two'");
    EXPECT_EQ(b.columns, 2u);
    EXPECT_EQ(b.rows.size(), 1u);
    EXPECT_EQ(b.eof_packets, 2u);
    EXPECT_FALSE(b.ended_by_ok);
  }
  // A read served by a replica, and one in a transaction on the master.
  const Result replica = modern.query("SELECT @@server_id");
  EXPECT_TRUE(replica.ended_by_ok);
  EXPECT_EQ(modern.query("BEGIN").error, 0);
  const Result master = modern.query("SELECT @@server_id");
  ASSERT_EQ(master.rows.size(), 1u);
  EXPECT_EQ(master.rows[0], std::string("\x01" "1", 2));
  EXPECT_TRUE(master.ended_by_ok);
  EXPECT_EQ(modern.query("COMMIT").error, 0);
}

TEST_F(DeprecateEofTest, PreparedStatementsAndTheProxysOwnResultSets) {
  RawClient modern(proxy().port(), topology_.app, topology_.app_db, true);
  RawClient classic(proxy().port(), topology_.app, topology_.app_db, false);
  std::size_t eofs = 99;
  const std::uint32_t id = modern.prepare("SELECT 1, 2, 3", eofs);
  EXPECT_EQ(eofs, 0u);
  const Result executed = modern.execute(id);
  EXPECT_EQ(executed.columns, 3u);
  EXPECT_EQ(executed.rows.size(), 1u);
  EXPECT_TRUE(executed.ended_by_ok);
  const std::uint32_t classic_id = classic.prepare("SELECT 1, 2, 3", eofs);
  EXPECT_EQ(eofs, 1u);  // after the column definitions
  const Result classic_executed = classic.execute(classic_id);
  EXPECT_EQ(classic_executed.eof_packets, 2u);

  const Result explained = modern.query("EXPLAIN ROUTE SELECT 1");
  EXPECT_GT(explained.rows.size(), 0u);
  EXPECT_EQ(explained.eof_packets, 0u);
  EXPECT_TRUE(explained.ended_by_ok);
  const Result classic_explained = classic.query("EXPLAIN ROUTE SELECT 1");
  EXPECT_EQ(classic_explained.eof_packets, 2u);
}

}  // namespace
}  // namespace rwproxy::test
