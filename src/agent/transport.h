// HTTP transport to a replica or boundary node (libcurl): one kept-alive HTTP/1.1 connection, timeouts,
// and retries with exponential backoff only where retrying is safe and useful (429, 5xx, connection errors).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ic/bytes.h"
#include "ic/result.h"

namespace agent {

struct HttpResponse {
  long status = 0;
  ic::Bytes body;
  std::string content_type;
  std::string body_text() const { return std::string(body.begin(), body.end()); }
};

class Transport {
 public:
  virtual ~Transport() = default;
  // `path` starts with "/api/…". A returned response may have any status: callers interpret 4xx/5xx.
  // Errc::network: no response (after retries).
  virtual ic::Result<HttpResponse> get(const std::string& path) = 0;
  virtual ic::Result<HttpResponse> post(const std::string& path, ic::ByteView cbor_body) = 0;
  virtual std::string base_url() const = 0;
};

using Sleeper = std::function<void(std::chrono::milliseconds)>;

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};
  // Retries after the first attempt, for HTTP 429, 5xx and connection failures only (requests are
  // idempotent by request id, so resending a call is safe). Backoff doubles from `retry_initial` up to
  // `retry_max`; a Retry-After header (seconds) is honoured up to `retry_max`.
  int max_retries = 3;
  std::chrono::milliseconds retry_initial{250};
  std::chrono::milliseconds retry_max{4'000};
  Sleeper sleep;                                  // default: std::this_thread::sleep_for
  std::function<void(const std::string&)> log;    // one line per retry (stderr with -v)
  std::string user_agent = "hubctl";
};

// `base_url` like "https://icp-api.io" or "http://127.0.0.1:4943" (no trailing slash needed).
std::shared_ptr<Transport> make_http_transport(std::string base_url, TransportOptions opts = {});

// Is this a loopback URL (127.0.0.0/8, ::1, localhost)? Root keys may be fetched implicitly only there.
bool is_loopback_url(const std::string& url);

}  // namespace agent
