// Certified data helpers (cdk/certified.h).
#include "cdk/certified.h"

#include <string>

#include "cdk/ic0.h"
#include "cdk/runtime.h"

namespace cdk {

void set_certified_data(ic::ByteView data) {
  if (data.size() > 32) trap("certified data is at most 32 bytes, got " + std::to_string(data.size()));
  ic0::certified_data_set(data.data(), static_cast<uint32_t>(data.size()));
}

void certify(const ic::HashTree& tree) {
  ic::Hash256 root = tree.digest();
  set_certified_data(root);
}

std::optional<ic::Bytes> data_certificate() {
  if (ic0::data_certificate_present() == 0) return std::nullopt;
  ic::Bytes b(ic0::data_certificate_size());
  if (!b.empty()) ic0::data_certificate_copy(b.data(), 0, static_cast<uint32_t>(b.size()));
  return b;
}

CertifiedState certified_state(const ic::HashTree& tree) {
  auto cert = data_certificate();
  if (!cert) trap("no data certificate in replicated execution: call this method as a query");
  CertifiedState s;
  s.certificate = std::move(*cert);
  s.tree = {0xd9, 0xd9, 0xf7};  // RFC 8949 self-describe tag 55799
  ic::Bytes t = tree.encode();
  s.tree.insert(s.tree.end(), t.begin(), t.end());
  return s;
}

}  // namespace cdk
