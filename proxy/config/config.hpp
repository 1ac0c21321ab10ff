// rwproxy configuration: plain values, loaded from TOML by config_loader.
// Pure: no sockets, no clocks. Every key here is documented in config/rwproxy.toml.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rwproxy::config {

enum class BackendRole { master, replica };
// [routing] no_eligible_replica: what a read does when no replica may serve it.
enum class NoReplicaAction { master, error };
// [routing] consistency: how a session's reads are kept from showing data older than its writes
// (and than a consistency token it presented).
enum class Consistency {
  window,  // reads go to the master for read_after_write_window_ms after a write
  causal,  // reads go to a replica that has applied the session's GTID position (or waits for it)
  none,    // reads never wait: replicas may be behind the session's own writes
};
// [[rules]] route.
enum class RuleRoute {
  master,   // always the master
  replica,  // a replica (statements only the master may run still go there)
  any,      // the default routing, with the rule's max_replica_lag_ms
};

std::string_view to_string(BackendRole role);
std::string_view to_string(NoReplicaAction action);
std::string_view to_string(RuleRoute route);

// How the proxy's own connections to a backend use TLS (the data path's and the monitor's), named
// as the MySQL client's --ssl-mode.
enum class BackendTlsMode {
  disabled,         // clear text
  required,         // TLS, the certificate not checked
  verify_ca,        // TLS, the certificate must chain to backend_tls.ca
  verify_identity,  // as verify_ca, and name the backend's host (DNS name or IP address)
};

// The most backends a proxy knows over its life, those added by reloads included.
inline constexpr std::size_t max_backends = 64;

struct Backend {
  std::string name;           // [[backends]] name = "replica1"; defaults to "<role><index>",
                              // index = position in [[backends]] (0-based)
  BackendRole role = BackendRole::replica;
  std::string host = "127.0.0.1";
  std::uint16_t port = 3306;
  std::uint32_t weight = 1;   // replica selection weight 1..1000 (ignored for the master)
  std::optional<BackendTlsMode> tls_mode;  // overrides BackendTls::mode for this backend
};

// [backend_tls]: TLS on the proxy's connections to the backends. Takes effect at start.
struct BackendTls {
  BackendTlsMode mode = BackendTlsMode::disabled;  // for every backend without its own tls_mode
  std::string ca;           // PEM CAs the backends' certificates chain to (verify_*; empty: the
                            // system's CAs)
  std::string certificate;  // PEM client certificate for backends that ask for one, with
  std::string private_key;  // its key (both or neither)
};

struct User {
  std::string name;
  // Exactly one of the two is set in a valid config.
  std::optional<std::string> password;       // clear text
  std::optional<std::string> password_hash;  // "*" + 40 hex digits, as in mysql.user
  std::optional<bool> hints;                 // overrides Routing::hints for this user when set
  std::optional<bool> multiplexing;          // overrides Pool::multiplexing for this user when set
  bool require_tls = false;                  // a clear-text login is refused (ERR 1045), as REQUIRE SSL
};

enum class TlsVersion { tls1_2, tls1_3 };

// [tls]: TLS towards clients. Off unless a certificate is configured; clients that don't ask for
// TLS still log in in clear text (unless their user has require_tls).
struct Tls {
  std::string certificate;   // PEM file: the proxy's certificate, then any intermediates
  std::string private_key;   // PEM file: its private key (unencrypted)
  std::string ca;            // PEM file: CAs for client certificates; a client that presents one
                             // must then present a valid one (empty: client certificates not asked for)
  TlsVersion min_version = TlsVersion::tls1_2;
  std::string ciphers;       // OpenSSL cipher list for TLS 1.2 (empty: OpenSSL's defaults)
  bool enabled() const { return !certificate.empty(); }
};

struct Timeouts {
  std::uint32_t connect_timeout_ms = 2000;      // backend TCP connect + handshake
  std::uint32_t handshake_timeout_ms = 5000;    // client must finish its handshake within this
  std::uint32_t client_idle_timeout_ms = 28800000;  // idle client closed after this (0 = never)
  std::uint32_t shutdown_timeout_ms = 10000;    // on SIGTERM, running statements get this long
  std::uint32_t query_timeout_ms = 0;           // a statement's reply must start and go on within this (0 = none)
                                                // (0 = close at once)
};

struct Proxy {
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 6033;
  std::uint32_t worker_threads = 2;              // 0 = one per core
  std::uint32_t max_packet_size = 67108864;      // bytes; larger client packets are refused (ERR 1153)
  std::string server_version = "5.5.5-10.11.0-MariaDB-rwproxy";  // sent in the greeting
  std::uint32_t max_client_connections = 10000;
  // PEM RSA private key for caching_sha2_password's full authentication without TLS (the client
  // encrypts its password with the public key); empty: a 2048-bit key generated when first needed.
  std::string caching_sha2_password_private_key_path;
};

struct Routing {
  std::uint32_t read_after_write_window_ms = 1000;  // after a session's write commits, its reads
                                                    // go to the master this long (0 = off)
  std::uint32_t max_replica_lag_ms = 1000;          // a replica lagging more serves no reads
  std::uint32_t readmit_replica_lag_ms = 500;       // an excluded replica is readmitted below
                                                    // this; always < max_replica_lag_ms
  NoReplicaAction no_eligible_replica = NoReplicaAction::master;
  bool hints = true;                                // honour /* rwproxy:master|replica */ hints
  std::uint32_t replica_retry_interval_ms = 5000;   // a replica whose connection failed is left
                                                    // out this long
  Consistency consistency = Consistency::causal;
  std::uint32_t causal_wait_timeout_ms = 500;       // longest MASTER_GTID_WAIT on a replica
  bool monotonic_reads = true;                      // a session never reads older data than before
};

// [pool]: backend connections shared by client sessions (multiplexing).
struct Pool {
  bool multiplexing = true;                     // false: one backend connection per session and backend
  std::uint32_t max_connections_per_backend = 64;  // open connections to one backend, all workers
  std::uint32_t min_idle_connections = 0;       // per backend: idle trimming keeps at least these
  std::uint32_t idle_timeout_ms = 60000;        // an idle pooled connection is closed after this
  std::uint32_t acquire_timeout_ms = 5000;      // a statement waits this long for a connection when
                                                // the backend's pool is full (then ERR 1040)
  std::uint32_t max_statements_per_connection = 128;  // binary prepared statements kept prepared
                                                      // on one backend connection (LRU)
};

// [monitor]: the backend monitor's own connections (off the data path).
struct Monitor {
  bool enabled = false;                       // without it, health comes from connection failures
  std::uint32_t interval_ms = 250;            // one check of every backend per interval
  std::string user;                           // required when enabled
  std::string password;
  std::uint32_t connect_timeout_ms = 1000;    // connect, read and write timeouts of a check
  bool heartbeat = true;                      // write/read heartbeats for millisecond lag
  std::string heartbeat_table = "rwproxy.heartbeat";  // schema.table, created if missing
  std::uint32_t down_after_failures = 3;      // consecutive failed checks before "down"
  std::uint32_t up_after_successes = 2;       // consecutive good checks before "up" again
  // The writer is discovered: the backend that is up with read_only=OFF is the master, the others
  // replicas (a promotion is followed). Two writable backends, or none: writes are refused.
  bool follow_writer = false;
};

// [admin]: the admin interface, a MySQL-protocol listener of its own (off by default).
struct Admin {
  bool enabled = false;
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 6032;           // 0 = any free port (written to --ports-file)
};

// One [[admin_users]] entry: who may log in to the admin interface.
struct AdminUser {
  std::string name;
  std::optional<std::string> password;       // exactly one of the two
  std::optional<std::string> password_hash;  // "*" + 40 hex digits
};

// [metrics]: the Prometheus endpoint.
struct Metrics {
  bool enabled = true;
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 9187;           // 0 = any free port (logged at start)
  std::uint32_t top_digests = 50;             // digests with their own series; 0 = none
};

// One [[rules]] entry. It matches a statement when every matcher that is set matches
// (a valid rule has at least one); the first matching rule applies.
struct Rule {
  std::string name;                          // unique among rules
  std::optional<std::string> digest;         // exact digest text
  std::optional<std::string> digest_regex;   // ECMAScript, searched in the digest text;
                                             // known to compile with std::regex
  std::optional<std::string> user;           // a configured user's name
  std::optional<std::string> schema;         // the session's default schema
  std::optional<std::string> table;          // "name" or "schema.name"
  RuleRoute route = RuleRoute::any;
  std::optional<std::uint32_t> max_replica_lag_ms;  // replaces Routing::max_replica_lag_ms
  std::optional<Consistency> consistency;           // replaces Routing::consistency
};

struct Config {
  Proxy proxy;
  Timeouts timeouts;
  Routing routing;
  Pool pool;
  Tls tls;
  BackendTls backend_tls;
  Monitor monitor;
  Metrics metrics;
  Admin admin;
  std::vector<Backend> backends;  // exactly one master, zero or more replicas
  std::vector<User> users;
  std::vector<Rule> rules;        // in file order
  std::vector<AdminUser> admin_users;

  const Backend* master() const;  // nullptr only in an unvalidated Config
  BackendTlsMode tls_mode(const Backend& backend) const { return backend.tls_mode.value_or(backend_tls.mode); }
  std::vector<const Backend*> replicas() const;
  const User* find_user(std::string_view name) const;  // exact (case-sensitive) match
  // Whether this user's comment hints are honoured: its own hints, else routing.hints.
  bool hints_allowed(const User& user) const;
  // Whether this user's sessions share pooled backend connections: its own multiplexing, else
  // pool.multiplexing.
  bool multiplexing_for(std::string_view user) const;
};

}  // namespace rwproxy::config
