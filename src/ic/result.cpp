#include "ic/result.h"

namespace ic {

const char* errc_name(Errc c) {
  switch (c) {
    case Errc::invalid_input: return "invalid_input";
    case Errc::decode: return "decode";
    case Errc::type_mismatch: return "type_mismatch";
    case Errc::limit: return "limit";
    case Errc::not_found: return "not_found";
    case Errc::io: return "io";
    case Errc::network: return "network";
    case Errc::crypto: return "crypto";
    case Errc::rejected: return "rejected";
    case Errc::unsupported: return "unsupported";
    case Errc::internal: return "internal";
  }
  return "internal";
}

std::string Error::to_string() const {
  if (hint.empty()) return message;
  return message + " (" + hint + ")";
}

Error&& Error::context(const std::string& where) && {
  message = where + ": " + message;
  return std::move(*this);
}

}  // namespace ic
