// Table and number formatting for cli output.
#include "table.h"

#include <algorithm>
#include <cstdio>

namespace cli {

namespace {
// Display width of UTF-8 text (code points; the tables hold no wide characters).
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}
}  // namespace

Table::Table(std::vector<std::string> headers, std::vector<bool> right_aligned)
    : headers_(std::move(headers)), right_(std::move(right_aligned)) {
  right_.resize(headers_.size(), false);
}

void Table::add(std::vector<std::string> row) {
  row.resize(headers_.size());
  rows_.push_back(std::move(row));
}

void Table::add_separator() { rows_.emplace_back(); }

void Table::print(std::ostream& out) const {
  std::vector<size_t> w(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) w[i] = width(headers_[i]);
  for (auto& r : rows_)
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t i = 0; i < r.size(); ++i) {
      std::string pad(w[i] - width(r[i]), ' ');
      s += right_[i] ? pad + r[i] : r[i] + (i + 1 < r.size() ? pad : "");
      if (i + 1 < r.size()) s += "  ";
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << '\n';
  };
  line(headers_);
  for (auto& r : rows_) {
    if (r.empty()) {
      size_t total = 0;
      for (size_t x : w) total += x + 2;
      out << std::string(total >= 2 ? total - 2 : 0, '-') << '\n';
    } else {
      line(r);
    }
  }
}

std::string group_thousands(const std::string& d) {
  std::string out;
  int n = 0;
  for (size_t i = d.size(); i-- > 0;) {
    out.insert(out.begin(), d[i]);
    if (++n % 3 == 0 && i > 0) out.insert(out.begin(), ',');
  }
  return out;
}

std::string e8s_to_tokens(const std::string& e8s) {
  std::string s = e8s.size() <= 8 ? std::string(9 - e8s.size(), '0') + e8s : e8s;
  std::string whole = s.substr(0, s.size() - 8), frac = s.substr(s.size() - 8);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return group_thousands(whole) + (frac.empty() ? "" : "." + frac);
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

std::string human_duration(uint64_t s) {
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m";
  return std::to_string(s / 86400) + "d " + std::to_string(s % 86400 / 3600) + "h";
}

}  // namespace cli
