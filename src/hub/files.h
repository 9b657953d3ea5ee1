// hub files: what hubctl keeps on disk — the per-network state file of canister ids (DESIGN.md `--state`),
// atomic file replacement, audit evidence directories with a hash manifest, Prometheus textfiles.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ic/bytes.h"
#include "ic/principal.h"
#include "ic/result.h"
#include "ic/sha2.h"

namespace hub {

// Writes `content` to `path` so that readers see the old file or the new one, never a mix: a temporary file
// beside it, fsync, rename, directory fsync. Creates missing parent directories.
ic::Status write_file_atomic(const std::filesystem::path& path, std::string_view content);
ic::Result<std::string> read_file(const std::filesystem::path& path, uint64_t max_bytes = 256ull << 20);

// ---- state file: canister ids per network ----

// ${XDG_CONFIG_HOME:-~/.config}/hubctl/<network_name>.json (network_name: "ic", "local", or host_port of a URL).
ic::Result<std::filesystem::path> default_state_path(const std::string& network_name);

struct StateFile {
  static constexpr int kSchemaVersion = 1;
  std::string network;                              // the network's name when written
  std::string url;
  std::map<std::string, ic::Principal> canisters;   // "staking_hub", "learning_content", "icrc1_ledger"
  std::map<std::string, std::string> notes;         // free-form facts recorded by deploy (e.g. "deployed_at")
};
// nullopt when the file does not exist; errors name the file and what is wrong (never silently empty).
ic::Result<std::optional<StateFile>> load_state_file(const std::filesystem::path& path);
ic::Status save_state_file(const std::filesystem::path& path, const StateFile& state);

// ---- evidence: every certificate and reply an audit used, with a manifest of their SHA-256 ----

class EvidenceWriter {
 public:
  // DIR must not exist or be empty (evidence is never mixed with an older run).
  static ic::Result<EvidenceWriter> create(const std::filesystem::path& dir);
  // `name` is a relative file name ([A-Za-z0-9._-/], no ".."); files are written at once.
  ic::Status add(const std::string& name, ic::ByteView bytes);
  ic::Status add_text(const std::string& name, std::string_view text);
  // Writes meta.json (listed like any file) and manifest.json {"schema_version":1,"files":{name: sha256hex}}
  // in canonical form.
  ic::Status finish(const std::map<std::string, std::string>& meta);
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::map<std::string, std::string> files_;
};

struct EvidenceManifest {
  std::map<std::string, std::string> files;  // name -> sha256 hex
  std::map<std::string, std::string> meta;   // from meta.json
};
// Checks manifest.json is in canonical form, every listed file exists with its hash, and no other file is
// there. Any changed byte anywhere fails with the file named (Errc::crypto); unreadable: Errc::io.
ic::Result<EvidenceManifest> verify_evidence_dir(const std::filesystem::path& dir);
ic::Result<ic::Bytes> read_evidence_file(const std::filesystem::path& dir, const EvidenceManifest& m,
                                         const std::string& name);

// ---- Prometheus textfile exposition (for node_exporter's textfile collector) ----

struct Metric {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*
  std::string help;
  std::string type;  // "gauge" or "counter"
  struct Sample {
    std::map<std::string, std::string> labels;
    std::string value;  // already formatted (integers exactly, no float rounding of token amounts)
  };
  std::vector<Sample> samples;
};
// Text format 0.0.4: # HELP / # TYPE lines, samples with escaped label values.
std::string prometheus_text(const std::vector<Metric>& metrics);

}  // namespace hub
