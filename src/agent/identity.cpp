#include "agent/identity.h"

#include <fstream>
#include <iterator>

namespace agent {
namespace {

class Anonymous final : public Identity {
 public:
  ic::Principal sender() const override { return ic::Principal::anonymous(); }
  std::optional<ic::Bytes> public_key_der() const override { return std::nullopt; }
  ic::Result<ic::Bytes> sign(ic::ByteView) const override {
    return ic::make_error(ic::Errc::unsupported, "the anonymous identity cannot sign",
                          "select an identity with --identity NAME or --pem FILE");
  }
  std::string kind() const override { return "anonymous"; }
};

class KeyIdentity final : public Identity {
 public:
  explicit KeyIdentity(ic::crypto::PrivateKey k)
      : key_(std::move(k)), sender_(ic::Principal::self_authenticating(key_.public_key_der())) {}
  ic::Principal sender() const override { return sender_; }
  std::optional<ic::Bytes> public_key_der() const override { return key_.public_key_der(); }
  ic::Result<ic::Bytes> sign(ic::ByteView message) const override { return key_.sign(message); }
  std::string kind() const override { return ic::crypto::key_type_name(key_.type()); }

 private:
  ic::crypto::PrivateKey key_;
  ic::Principal sender_;
};

}  // namespace

std::shared_ptr<Identity> anonymous_identity() {
  static auto anon = std::make_shared<Anonymous>();
  return anon;
}

std::shared_ptr<Identity> key_identity(ic::crypto::PrivateKey key) {
  return std::make_shared<KeyIdentity>(std::move(key));
}

ic::Result<std::shared_ptr<Identity>> identity_from_pem(std::string_view pem,
                                                        const ic::crypto::PasswordCallback& password) {
  IC_TRY(auto key, ic::crypto::PrivateKey::from_pem(pem, password));
  return key_identity(std::move(key));
}

ic::Result<std::string> read_text_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return ic::make_error(ic::Errc::io, "cannot open " + path, "check the path and its permissions");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return ic::make_error(ic::Errc::io, "cannot read " + path);
  return s;
}

ic::Result<std::shared_ptr<Identity>> identity_from_pem_file(const std::string& path,
                                                             const ic::crypto::PasswordCallback& password) {
  IC_TRY(std::string pem, read_text_file(path));
  auto id = identity_from_pem(pem, password);
  std::fill(pem.begin(), pem.end(), '\0');
  if (!id) return std::move(id).take_error().context(path);
  return id;
}

}  // namespace agent
