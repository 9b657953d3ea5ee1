// Live and evidence-backed Sources (source.h).
#include "hub/source.h"

#include <filesystem>

#include "agent/certificate.h"

namespace hub {

using ic::Errc;
using ic::make_error;

ic::Status EvidenceSink::add(const std::string& name, ic::ByteView bytes) {
  std::lock_guard lock(mu_);
  return writer_.add(name, bytes);
}

ic::Status EvidenceSink::finish(const std::map<std::string, std::string>& meta) {
  std::lock_guard lock(mu_);
  return writer_.finish(meta);
}

std::string query_evidence_name(const ic::Principal& canister, const std::string& method, ic::ByteView arg) {
  return "query/" + canister.to_text() + "/" + method + "-" + ic::to_hex(ic::sha256(arg)).substr(0, 16) + ".bin";
}

std::string certificate_evidence_name(const ic::Principal& canister) {
  return "read_state/" + canister.to_text() + ".cbor";
}

namespace {

class LiveSource : public Source {
 public:
  LiveSource(std::unique_ptr<agent::Agent> a, std::shared_ptr<EvidenceSink> sink, uint64_t max_age)
      : agent_(std::move(a)), sink_(std::move(sink)), max_age_(max_age) {}

  ic::Result<ic::Bytes> query(const ic::Principal& canister, const std::string& method, ic::ByteView arg) override {
    IC_TRY(agent::Reply r, agent_->query(canister, method, arg, canister));
    if (r.rejected) return agent::reject_to_error(r, "query " + method + " on " + canister.to_text());
    if (sink_) IC_CHECK(sink_->add(query_evidence_name(canister, method, arg), r.arg));
    return std::move(r.arg);
  }

  ic::Result<ic::Bytes> canister_certificate(const ic::Principal& canister) override {
    std::string id(reinterpret_cast<const char*>(canister.bytes().data()), canister.bytes().size());
    std::vector<ic::Path> paths = {ic::make_path({"canister", id, "module_hash"}),
                                   ic::make_path({"canister", id, "controllers"})};
    IC_TRY(agent::CertifiedState st, agent_->read_state(canister, paths));
    const ic::Bytes& raw = st.certificate.raw();
    if (sink_) IC_CHECK(sink_->add(certificate_evidence_name(canister), raw));
    return raw;
  }

  agent::VerifyOptions verify_options(const ic::Principal& canister) const override {
    agent::VerifyOptions o;
    o.root_key = agent_->root_key();
    o.canister_id = canister;
    o.now_ns = agent_->now_ns();
    o.max_age_ns = max_age_;
    return o;
  }

 private:
  std::unique_ptr<agent::Agent> agent_;
  std::shared_ptr<EvidenceSink> sink_;
  uint64_t max_age_;
};

class EvidenceSource : public Source {
 public:
  EvidenceSource(std::filesystem::path dir, EvidenceManifest m, uint64_t max_age)
      : dir_(std::move(dir)), m_(std::move(m)), max_age_(max_age) {}

  ic::Result<ic::Bytes> query(const ic::Principal& canister, const std::string& method, ic::ByteView arg) override {
    return read_evidence_file(dir_, m_, query_evidence_name(canister, method, arg));
  }
  ic::Result<ic::Bytes> canister_certificate(const ic::Principal& canister) override {
    return read_evidence_file(dir_, m_, certificate_evidence_name(canister));
  }
  agent::VerifyOptions verify_options(const ic::Principal& canister) const override {
    agent::VerifyOptions o;
    if (auto it = m_.meta.find("root_key"); it != m_.meta.end())
      if (auto k = ic::from_hex(it->second)) o.root_key = *k;
    o.canister_id = canister;
    if (auto it = m_.meta.find("time_ns"); it != m_.meta.end()) o.now_ns = std::stoull(it->second);
    o.max_age_ns = max_age_;
    return o;
  }

 private:
  std::filesystem::path dir_;
  EvidenceManifest m_;
  uint64_t max_age_;
};

}  // namespace

std::unique_ptr<Source> live_source(std::unique_ptr<agent::Agent> agent, std::shared_ptr<EvidenceSink> sink,
                                    uint64_t max_age_ns) {
  return std::make_unique<LiveSource>(std::move(agent), std::move(sink), max_age_ns);
}

std::unique_ptr<Source> evidence_source(std::filesystem::path dir, EvidenceManifest manifest, uint64_t max_age_ns) {
  return std::make_unique<EvidenceSource>(std::move(dir), std::move(manifest), max_age_ns);
}

}  // namespace hub
