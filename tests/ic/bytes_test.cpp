#include <catch2/catch.hpp>

#include "ic/bytes.h"

using namespace ic;

TEST_CASE("to_hex / from_hex", "[bytes]") {
  Bytes b{0x00, 0x01, 0xab, 0xff, 0x7f};
  CHECK(to_hex(b) == "0001abff7f");
  CHECK(to_hex(Bytes{}) == "");
  CHECK(from_hex("0001abff7f").value() == b);
  CHECK(from_hex("0x0001ABFF7F").value() == b);
  CHECK(from_hex("  00 01\nab\tff 7F ").value() == b);
  CHECK(from_hex("").value().empty());
  CHECK(from_hex("0x").value().empty());

  auto odd = from_hex("abc");
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.error().code == Errc::invalid_input);
  CHECK(odd.error().message.find("odd") != std::string::npos);
  auto bad = from_hex("00zz");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("offset 2") != std::string::npos);
  CHECK_FALSE(from_hex("0x0x00").ok());
}

TEST_CASE("as_view and to_bytes", "[bytes]") {
  CHECK(to_hex(as_view("AB")) == "4142");
  CHECK(to_bytes("hi") == Bytes{'h', 'i'});
}
