// LEB128 (unsigned) and SLEB128 (signed) of any size: Candid nat/int, type-table opcodes, request-id
// hashing. Readers accept overlong encodings (Candid allows them); writers always emit the shortest form.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ic/bignum.h"
#include "ic/bytes.h"
#include "ic/result.h"

namespace ic {

void write_uleb(Bytes& out, uint64_t v);
void write_uleb(Bytes& out, const BigNat& v);
void write_sleb(Bytes& out, int64_t v);
void write_sleb(Bytes& out, const BigInt& v);

// Each reader starts at in[pos], advances pos past the number on success, and leaves pos unchanged
// on error. Errors: truncated input; for the 64-bit readers, a value that does not fit.
Result<uint64_t> read_uleb64(ByteView in, size_t& pos);
Result<int64_t> read_sleb64(ByteView in, size_t& pos);
// max_bytes bounds the encoded length (hostile input: a megabyte of 0x80 bytes).
Result<BigNat> read_uleb_big(ByteView in, size_t& pos, size_t max_bytes = 1 << 16);
Result<BigInt> read_sleb_big(ByteView in, size_t& pos, size_t max_bytes = 1 << 16);

}  // namespace ic
