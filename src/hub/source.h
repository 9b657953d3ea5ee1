// hub::Source — where the audit's data comes from: live (the agent, recording every reply and certificate
// as evidence) or a saved evidence directory (offline re-check). The readers in suite.h see only this.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "agent/agent.h"
#include "agent/certificate.h"
#include "hub/files.h"
#include "ic/bytes.h"
#include "ic/principal.h"
#include "ic/result.h"

namespace hub {

class Source {
 public:
  virtual ~Source() = default;
  // A query's reply (Candid bytes); a reject is Errc::rejected naming the canister and method.
  virtual ic::Result<ic::Bytes> query(const ic::Principal& canister, const std::string& method, ic::ByteView arg) = 0;
  // A certificate (CBOR) revealing /canister/<id>/module_hash and /controllers (read_state).
  virtual ic::Result<ic::Bytes> canister_certificate(const ic::Principal& canister) = 0;
  // How certificates are checked: root key, the time they are checked at, max age.
  virtual agent::VerifyOptions verify_options(const ic::Principal& canister) const = 0;
};
using SourceFactory = std::function<ic::Result<std::unique_ptr<Source>>()>;

// Shared by the sources of one run: evidence files written from several threads.
class EvidenceSink {
 public:
  explicit EvidenceSink(EvidenceWriter writer) : writer_(std::move(writer)) {}
  ic::Status add(const std::string& name, ic::ByteView bytes);
  ic::Status finish(const std::map<std::string, std::string>& meta);

 private:
  std::mutex mu_;
  EvidenceWriter writer_;
};

// The evidence file name of a query (canister, method and a hash of the argument) and of a certificate.
std::string query_evidence_name(const ic::Principal& canister, const std::string& method, ic::ByteView arg);
std::string certificate_evidence_name(const ic::Principal& canister);

// Live: one agent (per thread); every reply and certificate also goes to `sink` when given.
std::unique_ptr<Source> live_source(std::unique_ptr<agent::Agent> agent, std::shared_ptr<EvidenceSink> sink,
                                    uint64_t max_age_ns);
// Offline: answers from a verified evidence directory, checking certificates at the recorded time
// with the recorded root key (meta "time_ns", "root_key").
std::unique_ptr<Source> evidence_source(std::filesystem::path dir, EvidenceManifest manifest, uint64_t max_age_ns);

}  // namespace hub
