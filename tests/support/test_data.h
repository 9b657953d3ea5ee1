// Paths to the test vectors copied into tests/data (see tests/data/PROVENANCE.md) and a file reader.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace testdata {

inline std::string path(const std::string& rel) { return std::string(HUBCTL_TEST_DATA) + "/" + rel; }

inline std::vector<unsigned char> read(const std::string& rel) {
  std::ifstream f(path(rel), std::ios::binary);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(f), {});
}

inline std::string read_text(const std::string& rel) {
  std::ifstream f(path(rel), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace testdata
