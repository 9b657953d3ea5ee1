// dfx's identity directory (ic-protocol.md §9.1), shared with dfx: <root>/identity.json {"default": NAME} and
// <root>/identity/<NAME>/identity.pem; encrypted or keyring identities are recognised and explained.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/identity.h"
#include "ic/crypto/keys.h"
#include "ic/result.h"

namespace agent {

struct IdentityEntry {
  std::string name;
  std::string storage;  // "plaintext", "password-protected" (dfx's own format), "keyring", "hsm", "anonymous"
};

class IdentityStore {
 public:
  // <root> is dfx's config directory: $DFX_CONFIG_ROOT/.config/dfx when DFX_CONFIG_ROOT is set (dfx's
  // override), else $HOME/.config/dfx.
  static ic::Result<IdentityStore> from_environment();
  explicit IdentityStore(std::filesystem::path root) : root_(std::move(root)) {}
  const std::filesystem::path& root() const { return root_; }

  // Every identity directory plus the built-in "anonymous", sorted by name.
  ic::Result<std::vector<IdentityEntry>> list() const;
  // identity.json's "default", or "default" when the file is missing (dfx's fallback).
  ic::Result<std::string> default_name() const;
  ic::Status set_default(const std::string& name) const;
  bool exists(const std::string& name) const;
  std::filesystem::path pem_path(const std::string& name) const;

  // "anonymous" gives the anonymous identity. Identities dfx keeps encrypted or in the keyring cannot
  // be read here: the error says how to export them.
  ic::Result<std::shared_ptr<Identity>> load(const std::string& name,
                                             const ic::crypto::PasswordCallback& password = {}) const;
  // A new plaintext identity (as `dfx identity new --storage-mode plaintext`); secp256k1 like dfx.
  ic::Status create(const std::string& name, ic::crypto::KeyType type = ic::crypto::KeyType::Secp256k1) const;
  // Stores the key of a PEM (any supported form; an encrypted one is decrypted with `password` and
  // stored in plaintext, as `dfx identity import --storage-mode plaintext`).
  ic::Status import(const std::string& name, const std::string& pem,
                    const ic::crypto::PasswordCallback& password = {}) const;

  // Names as dfx allows them: letters, digits, '.', '-', '_', '@', not "anonymous".
  static ic::Status check_name(const std::string& name);

 private:
  ic::Status write_pem(const std::string& name, const std::string& pem) const;
  std::filesystem::path root_;
};

}  // namespace agent
