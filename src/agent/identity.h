// Who signs requests (agent-rs's Identity: a principal, a DER public key, a signature over bytes):
// the anonymous identity and key identities loaded from PEM files as dfx and icp-cli write them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ic/bytes.h"
#include "ic/crypto/keys.h"
#include "ic/principal.h"
#include "ic/result.h"

namespace agent {

class Identity {
 public:
  virtual ~Identity() = default;
  // The `sender` of requests: 2vxsx-fae for anonymous, else SHA-224(DER key) · 02 (spec "Principals").
  virtual ic::Principal sender() const = 0;
  // The DER public key sent as `sender_pubkey`; nullopt for the anonymous identity (no key, no signature).
  virtual std::optional<ic::Bytes> public_key_der() const = 0;
  // A signature over `message` in the key's scheme (ic-protocol.md §3.3); anonymous: Errc::unsupported.
  virtual ic::Result<ic::Bytes> sign(ic::ByteView message) const = 0;
  // "anonymous", "ed25519", "secp256k1" or "p256".
  virtual std::string kind() const = 0;
  bool anonymous() const { return !public_key_der().has_value(); }
};

std::shared_ptr<Identity> anonymous_identity();
std::shared_ptr<Identity> key_identity(ic::crypto::PrivateKey key);

// A PEM text or file (PKCS#8, SEC1 with or without "EC PARAMETERS", encrypted PKCS#8 asking `password`).
ic::Result<std::shared_ptr<Identity>> identity_from_pem(std::string_view pem,
                                                        const ic::crypto::PasswordCallback& password = {});
ic::Result<std::shared_ptr<Identity>> identity_from_pem_file(const std::string& path,
                                                             const ic::crypto::PasswordCallback& password = {});

// Reads a whole file (errors name the path); used for PEM, password and certificate files.
ic::Result<std::string> read_text_file(const std::string& path);

}  // namespace agent
