// hub::CView — reading decoded Candid replies by field name (records, variants, opt, vec) with errors that
// name the path, so the collectors read hub/shard/ledger replies without positional or numeric-type guesses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candid/value.h"
#include "hub/audit.h"
#include "ic/bignum.h"
#include "ic/principal.h"
#include "ic/result.h"

namespace hub {

class CView {
 public:
  CView(const candid::TypeTable& table, candid::TypeRef type, const candid::Value& value, std::string path = "reply")
      : table_(&table), type_(type), value_(&value), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  candid::Op op() const { return table_->op(type_); }

  ic::Result<CView> field(std::string_view name) const;          // record field
  bool has_field(std::string_view name) const;
  ic::Result<std::optional<CView>> opt() const;                  // opt T
  ic::Result<std::vector<CView>> items() const;                  // vec T (not blob)
  ic::Result<std::string> variant_tag() const;                   // the case's name
  ic::Result<CView> variant_value() const;                       // the case's value
  // Any nat, nat8..nat64, or int ≥ 0.
  ic::Result<ic::BigNat> nat() const;
  ic::Result<uint64_t> u64() const;
  ic::Result<std::string> text() const;
  ic::Result<ic::Principal> principal() const;
  ic::Result<ic::Bytes> blob() const;
  ic::Result<bool> boolean() const;
  // A result-like variant `{ Ok : T; Err : E }`: the Ok value, or Errc::rejected with the Err rendered.
  ic::Result<CView> ok() const;
  // Every numeric field of a record, flattened with dots for nested records ("pending.amount").
  audit::Numbers numbers() const;
  // A short rendering for error messages (variant tags, texts, numbers).
  std::string render(size_t max_len = 200) const;

 private:
  ic::Error mismatch(const std::string& expected) const;
  const candid::TypeTable* table_;
  candid::TypeRef type_;
  const candid::Value* value_;
  std::string path_;
};

}  // namespace hub
