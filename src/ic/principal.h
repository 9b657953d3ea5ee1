// IC principals (interface spec "Principals"): up to 29 opaque bytes identifying users, canisters,
// subnets and nodes, with the checksummed textual form `xxxxx-xxxxx-…` used in URLs and on the CLI.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ic/bytes.h"
#include "ic/result.h"

namespace ic {

class Principal {
 public:
  static constexpr size_t kMaxLength = 29;
  static constexpr size_t kMaxTextLength = 63;

  // The management canister `aaaaa-aa` (empty bytes).
  Principal() = default;

  // Textual form, case-insensitive; checks the dash grouping and the CRC-32 (spec §"Textual
  // representation"), so a mistyped id is refused with an error that says what is wrong.
  static Result<Principal> from_text(std::string_view text);
  static Result<Principal> from_bytes(ByteView bytes);
  // SHA-224(DER public key) · 0x02 — user, node and (for the root subnet) subnet ids.
  static Principal self_authenticating(ByteView der_public_key);
  static Principal anonymous() { return Principal(Bytes{0x04}); }
  static Principal management() { return Principal(); }
  // Canister ids: 8-byte big-endian index · 0x01 0x01.
  static Principal from_canister_index(uint64_t index);

  std::string to_text() const;
  const Bytes& bytes() const { return bytes_; }
  ByteView view() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }

  bool is_anonymous() const { return bytes_.size() == 1 && bytes_[0] == 0x04; }
  bool is_management() const { return bytes_.empty(); }
  bool is_self_authenticating() const { return bytes_.size() == kMaxLength && bytes_.back() == 0x02; }
  // The index of a canister id of the `index · 01 01` form, nullopt for any other principal.
  std::optional<uint64_t> canister_index() const;

  // Bytewise lexicographic order: the order of canister ranges in certificates (spec §4.3).
  friend bool operator==(const Principal&, const Principal&) = default;
  friend std::strong_ordering operator<=>(const Principal& a, const Principal& b) {
    return a.bytes_ <=> b.bytes_;
  }

 private:
  explicit Principal(Bytes b) : bytes_(std::move(b)) {}
  Bytes bytes_;
};

// The class of a principal by its last byte (ic-protocol.md §3.1): "management" (empty), "anonymous",
// "self-authenticating" (29 bytes · 02), "derived" (· 03), "reserved" (· 7f) or "opaque" (canisters).
const char* principal_class_name(const Principal& p);

}  // namespace ic
