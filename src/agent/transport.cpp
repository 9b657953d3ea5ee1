#include "agent/transport.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <mutex>
#include <thread>

namespace agent {
namespace {

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<ic::Bytes*>(user);
  // Bounded: no IC response is larger than a few MiB (3 MiB query responses); refuse absurd bodies.
  if (out->size() + size * n > (64u << 20)) return 0;
  out->insert(out->end(), reinterpret_cast<uint8_t*>(data), reinterpret_cast<uint8_t*>(data) + size * n);
  return size * n;
}

struct Headers {
  std::string content_type;
  long retry_after_s = -1;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* h = static_cast<Headers*>(user);
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    if (name == "content-type") h->content_type = value;
    if (name == "retry-after" && !value.empty() && value.find_first_not_of("0123456789") == std::string::npos)
      h->retry_after_s = std::stol(value.substr(0, 6));
  }
  return size * n;
}

bool retryable_curl(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// libcurl is loaded when the first transport is made, not at program start: with its dependencies (Kerberos,
// LDAP, SSH, RTMP, ...) linking it costs every hubctl invocation ~5 ms and ~7 MiB of memory, also for commands
// that never open a connection (BENCHMARKS.md, start-up). Only these functions are used.
struct CurlApi {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  std::string error;  // set when the library could not be loaded
};

const CurlApi& curl_api() {
  static const CurlApi api = [] {
    CurlApi a{};
    void* h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      a.error = std::string("cannot load libcurl.so.4 (") + dlerror() + ")";
      return a;
    }
    bool ok = true;
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
      ok = ok && fn;
    };
    sym(a.global_init, "curl_global_init");
    sym(a.easy_init, "curl_easy_init");
    sym(a.easy_cleanup, "curl_easy_cleanup");
    sym(a.easy_reset, "curl_easy_reset");
    sym(a.easy_setopt, "curl_easy_setopt");
    sym(a.easy_perform, "curl_easy_perform");
    sym(a.easy_getinfo, "curl_easy_getinfo");
    sym(a.easy_strerror, "curl_easy_strerror");
    sym(a.slist_append, "curl_slist_append");
    sym(a.slist_free_all, "curl_slist_free_all");
    if (!ok) a.error = "libcurl.so.4 lacks a function hubctl needs (is it older than 7.85?)";
    else a.global_init(CURL_GLOBAL_DEFAULT);
    return a;
  }();
  return api;
}

class CurlTransport final : public Transport {
 public:
  CurlTransport(std::string base, TransportOptions o) : base_(std::move(base)), opts_(std::move(o)) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
    if (!opts_.sleep) opts_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  ~CurlTransport() override {
    if (curl_) curl_api().easy_cleanup(curl_);
  }

  ic::Result<HttpResponse> get(const std::string& path) override { return with_retries("GET", path, {}); }
  ic::Result<HttpResponse> post(const std::string& path, ic::ByteView body) override {
    return with_retries("POST", path, body);
  }
  std::string base_url() const override { return base_; }

 private:
  struct Attempt {
    CURLcode code = CURLE_OK;
    std::string error;
    HttpResponse resp;
    long retry_after_s = -1;
  };

  Attempt once(const std::string& method, const std::string& path, ic::ByteView body) {
    std::lock_guard<std::mutex> lock(mu_);
    Attempt a;
    // One easy handle for the transport's lifetime: libcurl keeps its connection open between requests
    // (HTTP/1.1 keep-alive), which saves a TCP and TLS handshake per call.
    const CurlApi& api = curl_api();
    if (!api.error.empty()) {
      a.code = CURLE_FAILED_INIT;
      a.error = api.error + "; install libcurl4 (scripts/install-deps does)";
      return a;
    }
    if (!curl_) curl_ = api.easy_init();
    if (!curl_) {
      a.code = CURLE_FAILED_INIT;
      a.error = "libcurl could not be initialised";
      return a;
    }
    CURL* c = curl_;
    api.easy_reset(c);
    char errbuf[CURL_ERROR_SIZE] = {0};
    std::string url = base_ + path;
    Headers hdrs;
    curl_slist* list = nullptr;
    list = api.slist_append(list, "Accept: application/cbor");
    if (method == "POST") list = api.slist_append(list, "Content-Type: application/cbor");
    list = api.slist_append(list, "Expect:");  // no 100-continue round trip for large bodies
    api.easy_setopt(c, CURLOPT_URL, url.c_str());
    api.easy_setopt(c, CURLOPT_HTTPHEADER, list);
    api.easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    api.easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(opts_.connect_timeout.count()));
    api.easy_setopt(c, CURLOPT_TIMEOUT_MS, long(opts_.request_timeout.count()));
    api.easy_setopt(c, CURLOPT_USERAGENT, opts_.user_agent.c_str());
    api.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    api.easy_setopt(c, CURLOPT_WRITEDATA, &a.resp.body);
    api.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    api.easy_setopt(c, CURLOPT_HEADERDATA, &hdrs);
    if (method == "POST") {
      api.easy_setopt(c, CURLOPT_POST, 1L);
      api.easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
      api.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
    }
    a.code = api.easy_perform(c);
    api.slist_free_all(list);
    if (a.code != CURLE_OK) {
      a.error = errbuf[0] ? errbuf : api.easy_strerror(a.code);
      return a;
    }
    api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.resp.status);
    a.resp.content_type = hdrs.content_type;
    a.retry_after_s = hdrs.retry_after_s;
    return a;
  }

  ic::Result<HttpResponse> with_retries(const std::string& method, const std::string& path, ic::ByteView body) {
    std::chrono::milliseconds delay = opts_.retry_initial;
    for (int attempt = 0;; ++attempt) {
      Attempt a = once(method, path, body);
      bool transient = a.code != CURLE_OK ? retryable_curl(a.code)
                                          : (a.resp.status == 429 || (a.resp.status >= 500 && a.resp.status <= 599));
      if (!transient || attempt >= opts_.max_retries) {
        if (a.code == CURLE_OK) return std::move(a.resp);
        return ic::make_error(ic::Errc::network,
                              method + " " + base_ + path + " failed: " + a.error +
                                  (attempt ? " (after " + std::to_string(attempt + 1) + " attempts)" : ""),
                              "is the network reachable and the URL right? For the local network, is "
                              "`hubctl local start` running?");
      }
      std::chrono::milliseconds wait = delay;
      if (a.retry_after_s >= 0) wait = std::min(std::chrono::milliseconds(a.retry_after_s * 1000), opts_.retry_max);
      if (opts_.log)
        opts_.log(method + " " + path + ": " +
                  (a.code != CURLE_OK ? a.error : "HTTP " + std::to_string(a.resp.status)) + "; retrying in " +
                  std::to_string(wait.count()) + " ms");
      opts_.sleep(wait);
      delay = std::min(delay * 2, opts_.retry_max);
    }
  }

  std::string base_;
  TransportOptions opts_;
  std::mutex mu_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::shared_ptr<Transport> make_http_transport(std::string base_url, TransportOptions opts) {
  return std::make_shared<CurlTransport>(std::move(base_url), std::move(opts));
}

bool is_loopback_url(const std::string& url) {
  auto scheme = url.find("://");
  std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  std::string host;
  if (!rest.empty() && rest[0] == '[') {
    host = rest.substr(1, rest.find(']') - 1);
  } else {
    host = rest.substr(0, rest.find_first_of(":/"));
  }
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0 || host.ends_with(".localhost");
}

}  // namespace agent
