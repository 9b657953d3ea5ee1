// State file, atomic writes, evidence manifests and Prometheus text for hubctl (see files.h).
#include "hub/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hub {

namespace fs = std::filesystem;
using ic::Errc;
using ic::make_error;

namespace {

ic::Error io_error(const std::string& what, const fs::path& p) {
  return make_error(Errc::io, what + " " + p.string() + ": " + std::strerror(errno));
}

ic::Status fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("cannot sync directory", dir);
  return {};
}

bool valid_evidence_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || name.front() == '/' || name == "manifest.json") return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '/')) return false;
  return name.find("..") == std::string::npos && name.find("//") == std::string::npos;
}

std::string canonical_manifest(const EvidenceManifest& m) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["files"] = nlohmann::ordered_json::object();
  for (auto& [k, v] : m.files) j["files"][k] = v;
  return j.dump(2) + "\n";
}

}  // namespace

ic::Status write_file_atomic(const fs::path& path, std::string_view content) {
  std::error_code ec;
  fs::path dir = path.parent_path();
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    if (ec) return make_error(Errc::io, "cannot create directory " + dir.string() + ": " + ec.message());
  }
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", tmp);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = io_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto e = io_error("cannot sync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = io_error("cannot replace", path);
    ::unlink(tmp.c_str());
    return e;
  }
  return fsync_dir(dir);
}

ic::Result<std::string> read_file(const fs::path& path, uint64_t max_bytes) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return make_error(ec == std::errc::no_such_file_or_directory ? Errc::not_found : Errc::io,
                            "cannot read " + path.string() + ": " + ec.message());
  if (size > max_bytes)
    return make_error(Errc::limit, path.string() + " is " + std::to_string(size) + " bytes, more than the " +
                                       std::to_string(max_bytes) + " accepted");
  std::ifstream f(path, std::ios::binary);
  if (!f) return io_error("cannot open", path);
  std::string s((std::istreambuf_iterator<char>(f)), {});
  return s;
}

ic::Result<fs::path> default_state_path(const std::string& network_name) {
  fs::path base;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    base = x;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    base = fs::path(h) / ".config";
  } else {
    return make_error(Errc::invalid_input, "neither XDG_CONFIG_HOME nor HOME is set",
                      "set HOME, or name the state file with --state FILE");
  }
  return base / "hubctl" / (network_name + ".json");
}

ic::Result<std::optional<StateFile>> load_state_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<StateFile>{};
  IC_TRY(std::string text, read_file(path, 1 << 20));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) {
    return make_error(Errc::invalid_input, "state file " + path.string() + ": " + why,
                      "fix or move the file away; `hubctl deploy` recreates it (ids can also be given with --hub)");
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (!j.contains("schema_version") || !j["schema_version"].is_number_integer()) return bad("no schema_version");
  int v = j["schema_version"].get<int>();
  if (v > StateFile::kSchemaVersion)
    return make_error(Errc::unsupported, "state file " + path.string() + " has schema_version " + std::to_string(v) +
                                             ", newer than this hubctl understands (" +
                                             std::to_string(StateFile::kSchemaVersion) + ")",
                      "use a newer hubctl");
  StateFile s;
  if (j.contains("network") && j["network"].is_string()) s.network = j["network"];
  if (j.contains("url") && j["url"].is_string()) s.url = j["url"];
  if (j.contains("canisters")) {
    if (!j["canisters"].is_object()) return bad("`canisters` is not an object");
    for (auto& [name, id] : j["canisters"].items()) {
      if (!id.is_string()) return bad("canister `" + name + "` is not a text principal");
      auto p = ic::Principal::from_text(id.get<std::string>());
      if (!p) return bad("canister `" + name + "`: " + p.error().message);
      s.canisters.emplace(name, *p);
    }
  }
  if (j.contains("notes") && j["notes"].is_object())
    for (auto& [k, val] : j["notes"].items())
      if (val.is_string()) s.notes[k] = val.get<std::string>();
  return std::optional<StateFile>(std::move(s));
}

ic::Status save_state_file(const fs::path& path, const StateFile& s) {
  nlohmann::ordered_json j;
  j["schema_version"] = StateFile::kSchemaVersion;
  j["network"] = s.network;
  j["url"] = s.url;
  j["canisters"] = nlohmann::ordered_json::object();
  for (auto& [name, id] : s.canisters) j["canisters"][name] = id.to_text();
  j["notes"] = nlohmann::ordered_json::object();
  for (auto& [k, v] : s.notes) j["notes"][k] = v;
  return write_file_atomic(path, j.dump(2) + "\n");
}

ic::Result<EvidenceWriter> EvidenceWriter::create(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
    return make_error(Errc::invalid_input, "evidence directory " + dir.string() + " is not empty",
                      "name a new directory: evidence of different runs is never mixed");
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
  EvidenceWriter w;
  w.dir_ = dir;
  return w;
}

ic::Status EvidenceWriter::add(const std::string& name, ic::ByteView bytes) {
  if (!valid_evidence_name(name)) return make_error(Errc::internal, "bad evidence file name \"" + name + "\"");
  if (files_.count(name)) return make_error(Errc::internal, "evidence file \"" + name + "\" written twice");
  IC_CHECK(write_file_atomic(dir_ / name, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  files_[name] = ic::to_hex(ic::sha256(bytes));
  return {};
}

ic::Status EvidenceWriter::add_text(const std::string& name, std::string_view text) {
  return add(name, ic::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

ic::Status EvidenceWriter::finish(const std::map<std::string, std::string>& meta) {
  // meta.json is an ordinary listed file, so the manifest holds nothing that its hashes do not cover.
  nlohmann::ordered_json mj = nlohmann::ordered_json::object();
  for (auto& [k, v] : meta) mj[k] = v;
  IC_CHECK(add_text("meta.json", mj.dump(2) + "\n"));
  EvidenceManifest m{files_, {}};
  return write_file_atomic(dir_ / "manifest.json", canonical_manifest(m));
}

ic::Result<EvidenceManifest> verify_evidence_dir(const fs::path& dir) {
  IC_TRY(std::string text, read_file(dir / "manifest.json", 16 << 20));
  auto bad = [&](const std::string& why) {
    return make_error(Errc::crypto, "evidence " + dir.string() + ": " + why,
                      "the evidence was changed after it was written; do not trust it");
  };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("files") || !j["files"].is_object())
    return bad("manifest.json is not a manifest");
  if (!j.contains("schema_version") || j["schema_version"] != 1) return bad("manifest.json has an unknown schema_version");
  EvidenceManifest m;
  for (auto& [k, v] : j["files"].items()) {
    if (!v.is_string() || !valid_evidence_name(k)) return bad("manifest.json lists a bad entry \"" + k + "\"");
    m.files[k] = v.get<std::string>();
  }
  // Canonical form: any other byte in the manifest (even white space) is a change.
  if (canonical_manifest(m) != text) return bad("manifest.json is not in the form hubctl wrote");
  for (auto& [name, hex] : m.files) {
    auto content = read_file(dir / name);
    if (!content) return bad("file " + name + " is missing or unreadable (" + content.error().message + ")");
    auto h = ic::to_hex(ic::sha256(ic::as_view(*content)));
    if (h != hex) return bad("file " + name + " has SHA-256 " + h + ", the manifest says " + hex);
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    auto rel = fs::relative(it->path(), dir).generic_string();
    if (rel != "manifest.json" && !m.files.count(rel)) return bad("file " + rel + " is not in the manifest");
  }
  if (m.files.count("meta.json")) {
    nlohmann::json mj = nlohmann::json::parse(hub::read_file(dir / "meta.json").value_or(""), nullptr, false);
    if (!mj.is_object()) return bad("meta.json is not an object");
    for (auto& [k, v] : mj.items()) {
      if (!v.is_string()) return bad("meta.json: \"" + k + "\" is not text");
      m.meta[k] = v.get<std::string>();
    }
  }
  return m;
}

ic::Result<ic::Bytes> read_evidence_file(const fs::path& dir, const EvidenceManifest& m, const std::string& name) {
  auto it = m.files.find(name);
  if (it == m.files.end()) return make_error(Errc::not_found, "evidence has no file " + name);
  IC_TRY(std::string content, read_file(dir / name));
  ic::Bytes b(content.begin(), content.end());
  if (ic::to_hex(ic::sha256(b)) != it->second)
    return make_error(Errc::crypto, "evidence file " + name + " does not match the manifest");
  return b;
}

std::string prometheus_text(const std::vector<Metric>& metrics) {
  auto esc_help = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '\\') o += "\\\\";
      else if (c == '\n') o += "\\n";
      else o += c;
    }
    return o;
  };
  auto esc_label = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '\\') o += "\\\\";
      else if (c == '\n') o += "\\n";
      else if (c == '"') o += "\\\"";
      else o += c;
    }
    return o;
  };
  std::ostringstream out;
  for (auto& m : metrics) {
    out << "# HELP " << m.name << ' ' << esc_help(m.help) << '\n';
    out << "# TYPE " << m.name << ' ' << m.type << '\n';
    for (auto& s : m.samples) {
      out << m.name;
      if (!s.labels.empty()) {
        out << '{';
        bool first = true;
        for (auto& [k, v] : s.labels) {
          out << (first ? "" : ",") << k << "=\"" << esc_label(v) << '"';
          first = false;
        }
        out << '}';
      }
      out << ' ' << s.value << '\n';
    }
  }
  return out.str();
}

}  // namespace hub
