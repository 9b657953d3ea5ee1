// replica::node — CBOR encodings of the node's persisted records (see codec.cpp). Internal header.
#pragma once

#include "ic/cbor.h"
#include "replica/node/internal.h"

namespace replica::codec {

Bytes encode_canister(const Canister& c);  // settings, status, cycles, timers, queue, … (not wasm/memory)
ic::Status decode_canister(ic::ByteView b, Canister& c);
Bytes encode_chunks(const std::map<ic::Hash256, Bytes>& chunks);
std::map<ic::Hash256, Bytes> decode_chunks(ic::ByteView b);
Bytes encode_globals(const std::vector<uint64_t>& g);
std::vector<uint64_t> decode_globals(ic::ByteView b);
Bytes encode_ingress(const IngressEntry& e);
ic::Result<IngressEntry> decode_ingress(ic::ByteView b);
Bytes encode_inflight(const std::map<uint64_t, CallContext>& contexts, const std::map<uint64_t, CallbackRec>& callbacks,
                      const std::deque<Request>& mgmt);
ic::Status decode_inflight(ic::ByteView b, std::map<uint64_t, CallContext>& contexts,
                           std::map<uint64_t, CallbackRec>& callbacks, std::deque<Request>& mgmt);

}  // namespace replica::codec
