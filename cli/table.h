// Plain-text tables for command output: columns sized to their widest cell, numbers right-aligned.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers, std::vector<bool> right_aligned = {});
  void add(std::vector<std::string> row);
  void add_separator();
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;  // empty row = separator
};

// 1234567 -> "1,234,567"; e8s amounts as tokens with 8 decimals trimmed ("12.5").
std::string group_thousands(const std::string& decimal);
std::string e8s_to_tokens(const std::string& e8s_decimal);
// Bytes as "12.3 MiB"; a duration in seconds as "3m 12s".
std::string human_bytes(double bytes);
std::string human_duration(uint64_t seconds);

}  // namespace cli
