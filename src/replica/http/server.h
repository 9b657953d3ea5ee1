// The local network's HTTP server: the IC HTTP interface (ic-protocol.md §1) in front of a replica::Node —
// status, call v2/v3/v4, query v2/v3, read_state v2/v3 — plus the test switches of `hubctl local start`.
#pragma once

// Requests are validated by replica/http/ingress.h before the node sees them; a bad request gets a 4xx
// whose text body says what is wrong, and the server keeps serving. cpp-httplib does the sockets; the
// dispatch itself (Server::handle) needs none, so unit tests drive it directly.

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "ic/bytes.h"
#include "ic/result.h"
#include "replica/http/ingress.h"

namespace replica {

class Node;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 4943;                                  // 0: an ephemeral port (see Server::port())
  std::chrono::milliseconds latency{0};             // --latency: every reply is delayed this long
  std::set<int> api_versions{2, 3, 4};              // --api-versions: other versions answer 404
  bool test_admin = false;                          // --test-admin: POST /_/admin/set_controllers
  ingress::Limits limits;
  std::chrono::milliseconds call_timeout{10'000};   // v3/v4 calls wait this long for a certificate, then 202
  int threads = 64;                                 // concurrent connections (v3/v4 calls block one each)
  std::function<void(const std::string&)> log;      // one line per rejected request (the node's log)
};

class Server {
 public:
  Server(Node& node, ServerOptions opts);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port (the chosen port for 0) and serves on a background thread until stop().
  ic::Status start();
  int port() const { return port_; }
  std::string url() const;
  void stop();

  struct Response {
    int status = 200;
    std::string content_type;  // "application/cbor" or "text/plain; charset=utf-8"
    ic::Bytes body;
    std::string text() const { return std::string(body.begin(), body.end()); }
  };
  // One request, as the socket handler passes it (content_type "" when the header is absent; remote_loopback
  // whether it came from 127.0.0.0/8 or ::1). Thread-safe. The latency switch is applied by the socket layer.
  Response handle(const std::string& method, const std::string& path, const std::string& content_type,
                  ic::ByteView body, bool remote_loopback = true);

  // The admin endpoint of --test-admin (used by `hubctl local set-controllers`).
  static constexpr const char* kAdminSetControllersPath = "/_/admin/set_controllers";

 private:
  Response status_response();
  Response call(const ingress::Route& route, ic::ByteView body);
  Response query(const ingress::Route& route, ic::ByteView body);
  Response read_state(const ingress::Route& route, ic::ByteView body);
  Response admin_set_controllers(ic::ByteView body, bool remote_loopback);
  ingress::NodeFacts facts() const;
  Response problem(const ingress::Problem& p, const std::string& what);
  void log(const std::string& line) const;

  Node& node_;
  ServerOptions opts_;
  int port_ = 0;
  struct Http;
  std::unique_ptr<Http> http_;
};

// Tagged CBOR of the status map (root_key, impl_version, replica_health_status, certified_height).
ic::Bytes encode_status(const ic::Bytes& root_key_der, const std::string& impl_version, const std::string& health,
                        uint64_t certified_height);

}  // namespace replica
