// The one place the text library converts principals; the codec itself lives in src/ic/principal.
#include "candid/text/internal.h"
#include "ic/principal.h"

namespace candid::text::detail {

ic::Result<ic::Bytes> principal_from_text(std::string_view s) {
  IC_TRY(ic::Principal p, ic::Principal::from_text(s));
  return p.bytes();
}

std::string principal_to_text(ic::ByteView b) {
  auto p = ic::Principal::from_bytes(b);
  // A value longer than a principal can be (only from a hand-built Value) still prints, as hex.
  return p.ok() ? p->to_text() : "<invalid principal " + ic::to_hex(b) + ">";
}

}  // namespace candid::text::detail
