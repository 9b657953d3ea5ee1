// The IC HTTP interface in front of a replica::Node (see server.h). Response shapes follow ic-protocol.md
// §1.4 exactly; every 4xx carries a text body naming what is wrong.
#include "replica/http/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "ic/cbor.h"
#include "ic/request_id.h"
#include "replica/node/node.h"

namespace replica {

namespace cbor = ic::cbor;
using ingress::Problem;

namespace {

constexpr const char* kCbor = "application/cbor";
constexpr const char* kText = "text/plain; charset=utf-8";

Server::Response cbor_response(int status, const cbor::Value& v) {
  Server::Response r;
  r.status = status;
  r.content_type = kCbor;
  r.body = cbor::encode_self_describe(v);
  return r;
}

Server::Response text_response(int status, const std::string& text) {
  Server::Response r;
  r.status = status;
  r.content_type = kText;
  r.body = ic::to_bytes(text);
  return r;
}

Server::Response empty_response(int status) {
  Server::Response r;
  r.status = status;
  return r;
}

bool is_cbor_content_type(const std::string& ct) {
  // "application/cbor" possibly with parameters; case-insensitive type.
  std::string t = ct.substr(0, ct.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t == "application/cbor";
}

bool loopback_address(const std::string& a) {
  return a.rfind("127.", 0) == 0 || a == "::1" || a == "::ffff:127.0.0.1" || a.rfind("::ffff:127.", 0) == 0;
}

}  // namespace

ic::Bytes encode_status(const ic::Bytes& root_key_der, const std::string& impl_version, const std::string& health,
                        uint64_t certified_height) {
  cbor::Value m = cbor::Value::text_map({{"impl_version", cbor::Value::text(impl_version)},
                                         {"root_key", cbor::Value::bytes(root_key_der)},
                                         {"replica_health_status", cbor::Value::text(health)},
                                         {"certified_height", cbor::Value::uint(certified_height)}});
  return cbor::encode_self_describe(m);
}

struct Server::Http {
  httplib::Server svr;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
};

Server::Server(Node& node, ServerOptions opts) : node_(node), opts_(std::move(opts)) {}

Server::~Server() { stop(); }

std::string Server::url() const { return "http://" + opts_.host + ":" + std::to_string(port_); }

void Server::log(const std::string& line) const {
  if (opts_.log) opts_.log(line);
}

ingress::NodeFacts Server::facts() const {
  ingress::NodeFacts f;
  f.now_ns = node_.now_ns();
  f.subnet_id = node_.subnet_id();
  f.ranges = node_.canister_ranges();
  return f;
}

Server::Response Server::problem(const Problem& p, const std::string& what) {
  log(what + " -> " + std::to_string(p.status) + ": " + p.message);
  return text_response(p.status, p.message);
}

Server::Response Server::status_response() {
  NodeStatus st = node_.status();
  Response r;
  r.status = 200;
  r.content_type = kCbor;
  r.body = encode_status(node_.root_key_der(), st.impl_version, st.health, st.certified_height);
  return r;
}

Server::Response Server::handle(const std::string& method, const std::string& path, const std::string& content_type,
                                ic::ByteView body, bool remote_loopback) {
  std::string p = path.substr(0, path.find('?'));
  if (p == "/api/v2/status") {
    if (method != "GET") return text_response(405, "/api/v2/status answers GET only");
    return status_response();
  }
  if (p == kAdminSetControllersPath) {
    if (!opts_.test_admin)
      return text_response(404, "no such endpoint: " + p + " (start the node with --test-admin to enable it)");
    if (method != "POST") return text_response(405, p + " answers POST only");
    return admin_set_controllers(body, remote_loopback);
  }
  auto route = ingress::parse_route(p);
  std::string what = method + " " + p;
  if (!route) return problem(route.problem(), what);
  if (!opts_.api_versions.count(route->version))
    return problem(Problem{404, "API version v" + std::to_string(route->version) +
                                    " is disabled on this node (started with --api-versions)"},
                   what);
  if (method != "POST") return text_response(405, p + " answers POST only");
  if (!is_cbor_content_type(content_type))
    return problem(ingress::bad_request("Content-Type must be application/cbor, not \"" + content_type.substr(0, 80) + "\""),
                   what);
  switch (route->kind) {
    case ingress::Kind::Call: return call(*route, body);
    case ingress::Kind::Query: return query(*route, body);
    case ingress::Kind::ReadState: return read_state(*route, body);
  }
  return text_response(500, "unreachable");
}

Server::Response Server::call(const ingress::Route& route, ic::ByteView body) {
  std::string what = "call v" + std::to_string(route.version) + " " + route.target.to_text();
  auto req = ingress::validate(body, route, facts(), opts_.limits);
  if (!req) return problem(req.problem(), what);
  IngressMessage msg;
  msg.request_id = req->request_id;
  msg.sender = req->sender;
  msg.canister_id = req->canister_id;
  msg.effective_canister_id = route.target;
  msg.method = req->method;
  msg.arg = std::move(req->arg);
  msg.ingress_expiry = req->ingress_expiry;
  if (req->nonce) msg.nonce = *req->nonce;

  if (auto rej = node_.check_call(msg)) {
    // §1.4: a non-replicated rejection is a 200 with the reject (v2: the bare reject map).
    cbor::Value m;
    if (route.version >= 3) m.set("status", cbor::Value::text("non_replicated_rejection"));
    m.set("reject_code", cbor::Value::uint(rej->code));
    m.set("reject_message", cbor::Value::text(rej->message));
    if (!rej->error_code.empty()) m.set("error_code", cbor::Value::text(rej->error_code));
    return cbor_response(200, m);
  }
  ic::Hash256 rid = msg.request_id;
  auto st = node_.submit(std::move(msg));
  if (!st) {
    log(what + " -> 503: " + st.error().message);
    return text_response(503, st.error().message + " (retry later)");
  }
  if (route.version == 2) return empty_response(202);
  auto cert = node_.await_certificate(rid, opts_.call_timeout);
  if (!cert) return empty_response(202);  // still executing: the client polls read_state
  cbor::Value m = cbor::Value::text_map({{"status", cbor::Value::text("replied")}, {"certificate", cbor::Value::bytes(*cert)}});
  return cbor_response(200, m);
}

Server::Response Server::query(const ingress::Route& route, ic::ByteView body) {
  std::string what = "query v" + std::to_string(route.version) + " " + route.target.to_text();
  auto req = ingress::validate(body, route, facts(), opts_.limits);
  if (!req) return problem(req.problem(), what);
  QueryReply qr = node_.query(req->sender, req->canister_id, req->method, req->arg);
  uint64_t timestamp = node_.now_ns();

  // §1.6: the node signs "\x0Bic-response" · hash_of_map(M), M = the response without signatures plus
  // timestamp and request_id.
  cbor::Value resp;
  if (qr.replied) {
    resp.set("status", cbor::Value::text("replied"));
    resp.set("reply", cbor::Value::text_map({{"arg", cbor::Value::bytes(qr.reply)}}));
  } else {
    resp.set("status", cbor::Value::text("rejected"));
    resp.set("reject_code", cbor::Value::uint(qr.reject.code));
    resp.set("reject_message", cbor::Value::text(qr.reject.message));
    if (!qr.reject.error_code.empty()) resp.set("error_code", cbor::Value::text(qr.reject.error_code));
  }
  cbor::Value signed_map = resp;
  signed_map.set("timestamp", cbor::Value::uint(timestamp));
  signed_map.set("request_id", cbor::Value::bytes(ic::ByteView(req->request_id)));
  auto h = ic::hash_of_map(signed_map);
  if (!h) return text_response(500, "cannot hash the query response: " + h.error().message);
  ic::Bytes sig = node_.sign_as_node(ic::domain_separated("ic-response", *h));
  cbor::Value entry = cbor::Value::text_map({{"timestamp", cbor::Value::uint(timestamp)},
                                             {"signature", cbor::Value::bytes(sig)},
                                             {"identity", cbor::Value::bytes(node_.node_id().bytes())}});
  resp.set("signatures", cbor::Value::array({entry}));
  return cbor_response(200, resp);
}

Server::Response Server::read_state(const ingress::Route& route, ic::ByteView body) {
  std::string what = "read_state v" + std::to_string(route.version) + " " + (route.subnet ? "subnet " : "canister ") +
                     route.target.to_text();
  auto req = ingress::validate(body, route, facts(), opts_.limits);
  if (!req) return problem(req.problem(), what);
  ingress::StateAccess access;
  access.subnet_id = node_.subnet_id();
  access.request_origin = [this](const ic::Hash256& rid) -> std::optional<std::pair<ic::Principal, ic::Principal>> {
    auto o = node_.request_origin(rid);
    if (!o) return std::nullopt;
    return std::make_pair(o->sender, o->effective_canister_id);
  };
  access.controllers = [this](const ic::Principal& c) { return node_.controllers(c); };
  access.is_private_metadata = [this](const ic::Principal& c, const std::string& n) {
    return node_.is_private_metadata(c, n);
  };
  auto ok = ingress::check_read_state_paths(*req, route, access);
  if (!ok) return problem(ok.problem(), what);
  auto cert = node_.certify_paths(req->paths);
  if (!cert) {
    log(what + " -> 500: " + cert.error().message);
    return text_response(500, "cannot certify the requested paths: " + cert.error().message);
  }
  return cbor_response(200, cbor::Value::text_map({{"certificate", cbor::Value::bytes(*cert)}}));
}

Server::Response Server::admin_set_controllers(ic::ByteView body, bool remote_loopback) {
  if (!remote_loopback) return text_response(403, "the admin endpoint answers only loopback clients");
  auto v = cbor::decode(body);
  if (!v) return text_response(400, "admin: malformed CBOR: " + v.error().message);
  const cbor::Value& m = v->untagged();
  const cbor::Value* c = m.get("canister");
  const cbor::Value* ctl = m.get("controllers");
  if (!c || !c->as_bytes() || !ctl || !ctl->as_array())
    return text_response(400, "admin: expected {canister: bytes, controllers: [bytes]}");
  auto canister = ic::Principal::from_bytes(*c->as_bytes());
  if (!canister) return text_response(400, "admin: canister: " + canister.error().message);
  std::vector<ic::Principal> controllers;
  for (const auto& e : *ctl->as_array()) {
    auto p = e.as_bytes() ? ic::Principal::from_bytes(*e.as_bytes()) : ic::Result<ic::Principal>(ic::make_error(ic::Errc::decode, "not bytes"));
    if (!p) return text_response(400, "admin: controller: " + p.error().message);
    controllers.push_back(*p);
  }
  auto st = node_.set_controllers(*canister, controllers);
  if (!st) {
    int code = st.error().code == ic::Errc::not_found ? 404 : st.error().code == ic::Errc::unsupported ? 403 : 400;
    return text_response(code, "admin: set_controllers: " + st.error().message);
  }
  log("admin: controllers of " + canister->to_text() + " replaced (" + std::to_string(controllers.size()) + ")");
  return text_response(200, "ok");
}

ic::Status Server::start() {
  if (http_) return ic::make_error(ic::Errc::internal, "the HTTP server is already running");
  http_ = std::make_unique<Http>();
  auto& svr = http_->svr;
  int threads = opts_.threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  svr.set_keep_alive_max_count(100000);
  // An idle kept-alive connection holds a worker, and stop() waits for it: keep the idle time short.
  svr.set_keep_alive_timeout(1);
  // Headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per reply.
  svr.set_tcp_nodelay(true);
  // httplib's default is SO_REUSEPORT, which lets a second node bind the same port and share its connections:
  // SO_REUSEADDR alone still allows a quick restart on the port, but a busy port is refused.
  svr.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr.set_read_timeout(std::chrono::seconds(30));
  svr.set_write_timeout(std::chrono::seconds(30));
  // One byte over the limit is enough for httplib to refuse the body with 413 (ingress.h checks it too).
  svr.set_payload_max_length(static_cast<size_t>(opts_.limits.max_body_bytes()) + 1);
  auto serve = [this](const httplib::Request& rq, httplib::Response& rs) {
    std::string ct = rq.has_header("Content-Type") ? rq.get_header_value("Content-Type") : "";
    Response r = handle(rq.method, rq.path, ct, ic::as_view(rq.body), loopback_address(rq.remote_addr));
    if (opts_.latency.count() > 0) std::this_thread::sleep_for(opts_.latency);
    rs.status = r.status;
    if (!r.body.empty() || !r.content_type.empty())
      rs.set_content(std::string(r.body.begin(), r.body.end()), r.content_type.empty() ? kText : r.content_type);
  };
  svr.Get(".*", serve);
  svr.Post(".*", serve);
  svr.Put(".*", serve);
  svr.Delete(".*", serve);
  long limit = static_cast<long>(opts_.limits.max_body_bytes());
  svr.set_error_handler([limit, this](const httplib::Request& rq, httplib::Response& rs) {
    if (!rs.body.empty()) return;
    std::string msg;
    if (rs.status == 413)
      msg = "request body exceeds the limit of " + std::to_string(limit) +
            " bytes (2 MiB of ingress payload plus envelope); install large modules in chunks";
    else
      msg = "HTTP " + std::to_string(rs.status) + " for " + rq.method + " " + rq.path;
    log(rq.method + " " + rq.path + " -> " + std::to_string(rs.status) + ": " + msg);
    rs.set_content(msg, kText);
  });
  if (opts_.port == 0) {
    port_ = svr.bind_to_any_port(opts_.host);
    if (port_ <= 0) {
      http_.reset();
      return ic::make_error(ic::Errc::io, "cannot bind an ephemeral port on " + opts_.host);
    }
  } else {
    if (!svr.bind_to_port(opts_.host, opts_.port)) {
      http_.reset();
      return ic::make_error(ic::Errc::io, "cannot listen on " + opts_.host + ":" + std::to_string(opts_.port),
                            "is another node (or program) using the port? choose another with --port, or 0");
    }
    port_ = opts_.port;
  }
  Http* h = http_.get();
  h->thread = std::thread([h] {
    h->svr.listen_after_bind();
    h->listen_returned = true;
  });
  // httplib's stop() does nothing before the listening loop runs (it would then block in accept forever):
  // return only once it runs, so a stop() right after start() always works.
  while (!http_->svr.is_running()) {
    if (h->listen_returned) {
      http_->thread.join();
      http_.reset();
      return ic::make_error(ic::Errc::io, "the HTTP server on " + opts_.host + ":" + std::to_string(port_) + " stopped at once");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return {};
}

void Server::stop() {
  if (!http_) return;
  http_->svr.stop();
  if (http_->thread.joinable()) http_->thread.join();
  http_.reset();
}

}  // namespace replica
