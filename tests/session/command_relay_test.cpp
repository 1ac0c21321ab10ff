// CommandRelay over loopback sockets (no MariaDB): a scripted backend response is delivered in two
// writes split at every offset, and the client must receive exactly the expected bytes: OK packets
// with session state passed through for a client that tracks the session, rewritten without it
// for one that does not, and last_gtid read from them either way.
#include "proxy/session/command_relay.hpp"

#include <gtest/gtest.h>

#include <string>

#include "proxy/protocol/constants.hpp"
#include "proxy/protocol/frame_reader.hpp"
#include "proxy/protocol/generic_packets.hpp"

namespace rwproxy::session {
namespace {

using namespace std::chrono_literals;
using protocol::server_status::autocommit;
using protocol::server_status::more_results_exist;
using protocol::server_status::session_state_changed;

std::string lenenc(std::string_view s) { return std::string(1, static_cast<char>(s.size())) + std::string(s); }

// An OK payload as MariaDB sends it with CLIENT_SESSION_TRACK: last_gtid changed.
std::string tracked_ok(std::uint16_t status, std::string_view gtid, std::string_view info = "") {
  std::string out{'\x00', '\x01', '\x00'};  // header, 1 affected row, insert id 0
  status |= session_state_changed;
  out += static_cast<char>(status & 0xff);
  out += static_cast<char>(status >> 8);
  out += std::string("\x00\x00", 2);  // warnings
  out += lenenc(info);
  const std::string variable = lenenc("last_gtid") + lenenc(gtid);
  const std::string entry = std::string(1, '\x00') + lenenc(variable);
  out += lenenc(entry);
  return out;
}

// The same OK as a client without session tracking gets it.
std::string untracked_ok(std::uint16_t status, std::string_view info = "") {
  std::string out{'\x00', '\x01', '\x00'};
  out += static_cast<char>(status & 0xff);
  out += static_cast<char>(status >> 8);
  out += std::string("\x00\x00", 2);
  if (!info.empty()) out += lenenc(info);
  return out;
}

std::string frame(std::uint8_t sequence, std::string_view payload) {
  std::string out;
  protocol::append_frames(out, payload, sequence);
  return out;
}

// A multi-result response: INSERT (OK with state, more results), SELECT 1 (result set), then
// INSERT (final OK with state and an info message).
struct Script {
  std::string backend;         // as the server sends it
  std::string tracked_client;  // what a client with session tracking must receive
  std::string plain_client;    // what a client without it must receive
};

Script multi_result_script() {
  Script s;
  const std::uint16_t more = autocommit | more_results_exist;
  std::uint8_t seq = 1;
  auto both = [&](std::string_view backend_payload, std::string_view plain_payload) {
    s.backend += frame(seq, backend_payload);
    s.tracked_client += frame(seq, backend_payload);
    s.plain_client += frame(seq, plain_payload);
    ++seq;
  };
  both(tracked_ok(more, "0-1-41"), untracked_ok(more));
  const std::string column_count{'\x01'};
  std::string column_def;
  for (std::string_view part : {"def", "", "", "", "1", ""}) column_def += lenenc(part);
  column_def += std::string("\x0c\x3f\x00\x01\x00\x00\x00\x08\x81\x00\x00\x00\x00", 13);
  const std::string eof_more = std::string("\xfe\x00\x00", 3) + static_cast<char>(more & 0xff) + '\x00';
  both(column_count, column_count);
  both(column_def, column_def);
  both(eof_more, eof_more);
  both(lenenc("1"), lenenc("1"));
  both(eof_more, eof_more);
  both(tracked_ok(autocommit, "0-1-42", "Records: 2  Duplicates: 0  Warnings: 0"),
       untracked_ok(autocommit, "Records: 2  Duplicates: 0  Warnings: 0"));
  return s;
}

// An OK after USE inside a procedure: the schema and the state-change flag entries.
std::string schema_change_ok(std::string_view schema) {
  std::string out{'\x00', '\x00', '\x00'};
  const std::uint16_t status = autocommit | session_state_changed;
  out += static_cast<char>(status & 0xff);
  out += static_cast<char>(status >> 8);
  out += std::string("\x00\x00", 2);
  out += lenenc("");
  const std::string schema_entry = std::string(1, '\x01') + lenenc(lenenc(schema));
  const std::string state_entry = std::string("\x02\x01\x31", 3);
  out += lenenc(schema_entry + state_entry);
  return out;
}

struct Loopback {
  asio::io_context io;
  tcp::socket backend_peer{io};  // plays the server
  tcp::socket client_peer{io};   // plays the client
  std::unique_ptr<backend::BackendConnection> backend;
  std::unique_ptr<net::PacketChannel> client;

  Loopback() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket backend_side(io), client_side(io);
    backend_peer.connect(acceptor.local_endpoint());
    acceptor.accept(backend_side);
    client_peer.connect(acceptor.local_endpoint());
    acceptor.accept(client_side);
    backend = std::make_unique<backend::BackendConnection>(backend::BackendAddress{"master", "127.0.0.1", 0},
                                                           net::PacketChannel(std::move(backend_side), 1 << 24));
    client = std::make_unique<net::PacketChannel>(std::move(client_side), 1 << 24);
  }
};

struct RelayRun {
  CommandRelay::Outcome outcome;
  std::string client_bytes;
};

// Relays `script` answered in two writes split at `split`, and collects what the client got.
RelayRun relay_split(const std::string& response, std::size_t split, CommandRelay::SessionTracking tracking,
                     std::size_t expected_client_bytes) {
  Loopback loop;
  net::BufferPool buffers(64 * 1024);
  net::DeadlineSweep deadlines(loop.io.get_executor(), std::chrono::milliseconds(100));
  CommandRelay relay(buffers, deadlines);
  RelayRun run;
  const std::string command = frame(0, std::string("\x03SELECT 1; INSERT 2", 19));
  asio::co_spawn(
      loop.io,
      [&]() -> awaitable<void> {
        run.outcome = co_await relay.run(protocol::Command::query, command, 1, false, *loop.backend, *loop.client,
                                         std::chrono::milliseconds(5000), tracking);
      },
      asio::detached);
  asio::co_spawn(
      loop.io,
      [&]() -> awaitable<void> {
        std::string received(command.size(), '\0');
        co_await asio::async_read(loop.backend_peer, asio::buffer(received), asio::use_awaitable);
        co_await asio::async_write(loop.backend_peer, asio::buffer(response.data(), split), asio::use_awaitable);
        asio::steady_timer pause(loop.io, 2ms);  // so that the relay reads the two parts apart
        co_await pause.async_wait(asio::use_awaitable);
        co_await asio::async_write(loop.backend_peer, asio::buffer(response.data() + split, response.size() - split),
                                   asio::use_awaitable);
      },
      asio::detached);
  asio::co_spawn(
      loop.io,
      [&]() -> awaitable<void> {
        run.client_bytes.resize(expected_client_bytes);
        co_await asio::async_read(loop.client_peer, asio::buffer(run.client_bytes), asio::use_awaitable);
      },
      asio::detached);
  loop.io.run_for(5s);
  return run;
}

TEST(CommandRelaySessionStateTest, ATrackingClientGetsTheBytesAsTheyCameAtEverySplit) {
  const Script script = multi_result_script();
  for (std::size_t split = 1; split < script.backend.size(); ++split) {
    SCOPED_TRACE("split at " + std::to_string(split));
    const RelayRun run = relay_split(script.backend, split, {true, false}, script.tracked_client.size());
    EXPECT_EQ(run.outcome.result, CommandRelay::Result::completed);
    EXPECT_EQ(run.client_bytes, script.tracked_client);
    EXPECT_EQ(run.outcome.last_gtid, "0-1-42");
  }
}

TEST(CommandRelaySessionStateTest, AClientWithoutTrackingGetsItStrippedAtEverySplit) {
  const Script script = multi_result_script();
  for (std::size_t split = 1; split < script.backend.size(); ++split) {
    SCOPED_TRACE("split at " + std::to_string(split));
    const RelayRun run = relay_split(script.backend, split, {true, true}, script.plain_client.size());
    EXPECT_EQ(run.outcome.result, CommandRelay::Result::completed);
    EXPECT_EQ(run.client_bytes, script.plain_client);
    EXPECT_EQ(run.outcome.last_gtid, "0-1-42");
  }
}

TEST(CommandRelaySessionStateTest, SchemaAndStateChangeAreReadAtEverySplit) {
  const std::string response = frame(1, schema_change_ok("shop"));
  const std::string plain = frame(1, untracked_ok(autocommit).replace(1, 1, std::string(1, '\x00')));
  for (std::size_t split = 1; split < response.size(); ++split) {
    SCOPED_TRACE("split at " + std::to_string(split));
    const RelayRun run = relay_split(response, split, {true, true}, plain.size());
    EXPECT_EQ(run.outcome.result, CommandRelay::Result::completed);
    EXPECT_EQ(run.client_bytes, plain);
    EXPECT_TRUE(run.outcome.state_changed);
    EXPECT_EQ(run.outcome.schema, std::optional<std::string>("shop"));
  }
}

TEST(CommandRelaySessionStateTest, AnOkWithoutStateChangeReportsNone) {
  const Script script = multi_result_script();
  const RelayRun run = relay_split(script.backend, 3, {true, true}, script.plain_client.size());
  EXPECT_FALSE(run.outcome.state_changed);
  EXPECT_FALSE(run.outcome.schema.has_value());
}

TEST(CommandRelaySessionStateTest, WithoutTrackingNothingIsReadOrChanged) {
  const Script script = multi_result_script();
  const RelayRun run = relay_split(script.backend, script.backend.size() / 2, {}, script.tracked_client.size());
  EXPECT_EQ(run.client_bytes, script.tracked_client);
  EXPECT_EQ(run.outcome.last_gtid, "");
}

}  // namespace
}  // namespace rwproxy::session
