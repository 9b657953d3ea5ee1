#include "agent/identity_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

namespace agent {
namespace fs = std::filesystem;

namespace {

ic::Result<nlohmann::json> read_json(const fs::path& p) {
  IC_TRY(std::string text, read_text_file(p.string()));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return ic::make_error(ic::Errc::decode, p.string() + " is not a JSON object", "fix or remove the file");
  return j;
}

// Writes `data` to `p` with mode 0600 through a temporary file and rename, so a crash never leaves half a key.
ic::Status write_private_file(const fs::path& p, const std::string& data) {
  fs::path tmp = p;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ic::make_error(ic::Errc::io, "cannot create " + tmp.string(), "check the directory's permissions");
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return ic::make_error(ic::Errc::io, "cannot write " + tmp.string());
    }
    off += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), p.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return ic::make_error(ic::Errc::io, "cannot write " + p.string());
  }
  return {};
}

}  // namespace

ic::Result<IdentityStore> IdentityStore::from_environment() {
  if (const char* r = std::getenv("DFX_CONFIG_ROOT"); r && *r) return IdentityStore(fs::path(r) / ".config" / "dfx");
  const char* home = std::getenv("HOME");
  if (!home || !*home)
    return ic::make_error(ic::Errc::invalid_input, "HOME is not set, so dfx's identity directory cannot be found",
                          "set HOME or DFX_CONFIG_ROOT, or pass --pem FILE");
  return IdentityStore(fs::path(home) / ".config" / "dfx");
}

ic::Status IdentityStore::check_name(const std::string& name) {
  if (name.empty() || name == "anonymous" || name == "." || name == "..")
    return ic::make_error(ic::Errc::invalid_input, "\"" + name + "\" cannot be the name of a stored identity");
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '@'))
      return ic::make_error(ic::Errc::invalid_input, "identity name \"" + name + "\" has the character '" + c + "'",
                            "use letters, digits and . - _ @");
  return {};
}

fs::path IdentityStore::pem_path(const std::string& name) const { return root_ / "identity" / name / "identity.pem"; }

bool IdentityStore::exists(const std::string& name) const {
  std::error_code ec;
  return name == "anonymous" || fs::is_directory(root_ / "identity" / name, ec);
}

ic::Result<std::vector<IdentityEntry>> IdentityStore::list() const {
  std::vector<IdentityEntry> out{{"anonymous", "anonymous"}};
  std::error_code ec;
  fs::path dir = root_ / "identity";
  if (fs::is_directory(dir, ec)) {
    for (auto& e : fs::directory_iterator(dir, ec)) {
      if (!e.is_directory()) continue;
      std::string name = e.path().filename().string();
      std::string storage = "plaintext";
      if (fs::exists(e.path() / "identity.pem.encrypted")) storage = "password-protected";
      if (auto j = read_json(e.path() / "identity.json"); j.ok()) {
        if (j->contains("hsm")) storage = "hsm";
        else if (j->contains("keyring_identity_suffix")) storage = "keyring";
      }
      out.push_back({name, storage});
    }
    if (ec) return ic::make_error(ic::Errc::io, "cannot list " + dir.string() + ": " + ec.message());
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

ic::Result<std::string> IdentityStore::default_name() const {
  fs::path p = root_ / "identity.json";
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::string("default");
  IC_TRY(auto j, read_json(p));
  if (auto it = j.find("default"); it != j.end() && it->is_string()) return it->get<std::string>();
  return std::string("default");
}

ic::Status IdentityStore::set_default(const std::string& name) const {
  if (!exists(name))
    return ic::make_error(ic::Errc::not_found, "no identity named \"" + name + "\" in " + (root_ / "identity").string(),
                          "list them with `hubctl identity list`");
  nlohmann::json j = nlohmann::json::object();
  fs::path p = root_ / "identity.json";
  if (auto old = read_json(p); old.ok()) j = *old;  // keep keys dfx may add
  j["default"] = name;
  std::error_code ec;
  fs::create_directories(root_, ec);
  return write_private_file(p, j.dump(2) + "\n");
}

ic::Result<std::shared_ptr<Identity>> IdentityStore::load(const std::string& name,
                                                          const ic::crypto::PasswordCallback& password) const {
  if (name == "anonymous") return anonymous_identity();
  fs::path dir = root_ / "identity" / name;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return ic::make_error(ic::Errc::not_found, "no identity named \"" + name + "\" in " + (root_ / "identity").string(),
                          "list them with `hubctl identity list`, or create one with `hubctl identity new " + name + "`");
  fs::path pem = dir / "identity.pem";
  if (fs::exists(pem, ec)) return identity_from_pem_file(pem.string(), password);
  std::string how = "export it with `dfx identity export " + name + " > key.pem` and use --pem key.pem, or import that "
                    "file with `hubctl identity import NAME key.pem`";
  if (fs::exists(dir / "identity.pem.encrypted", ec))
    return ic::make_error(ic::Errc::unsupported,
                          "identity \"" + name + "\" is stored in dfx's password-protected format (Argon2id + AES-GCM)", how);
  if (auto j = read_json(dir / "identity.json"); j.ok()) {
    if (j->contains("keyring_identity_suffix"))
      return ic::make_error(ic::Errc::unsupported, "identity \"" + name + "\" is kept in the system keyring by dfx", how);
    if (j->contains("hsm"))
      return ic::make_error(ic::Errc::unsupported, "identity \"" + name + "\" lives on a hardware security module",
                            "HSM identities are not supported by hubctl");
  }
  return ic::make_error(ic::Errc::not_found, "identity \"" + name + "\" has no identity.pem in " + dir.string(), how);
}

ic::Status IdentityStore::write_pem(const std::string& name, const std::string& pem) const {
  IC_CHECK(check_name(name));
  fs::path dir = root_ / "identity" / name;
  std::error_code ec;
  if (fs::exists(dir, ec))
    return ic::make_error(ic::Errc::invalid_input, "identity \"" + name + "\" already exists (" + dir.string() + ")",
                          "choose another name, or remove that directory first");
  fs::create_directories(dir, ec);
  if (ec) return ic::make_error(ic::Errc::io, "cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  return write_private_file(dir / "identity.pem", pem);
}

ic::Status IdentityStore::create(const std::string& name, ic::crypto::KeyType type) const {
  IC_TRY(auto key, ic::crypto::PrivateKey::generate(type));
  return write_pem(name, key.to_pem());
}

ic::Status IdentityStore::import(const std::string& name, const std::string& pem,
                                 const ic::crypto::PasswordCallback& password) const {
  IC_TRY(auto key, ic::crypto::PrivateKey::from_pem(pem, password));
  return write_pem(name, key.to_pem());
}

}  // namespace agent
