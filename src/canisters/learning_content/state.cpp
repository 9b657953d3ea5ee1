// learning_content's stable layout (state.h).
#include "canisters/learning_content/state.h"

#include <algorithm>
#include <tuple>

namespace learning_content {

cdk::Heap<HeapState> heap;

Stable& stable() {
  static Stable s;
  return s;
}

ic::Bytes chunk_key(const std::string& id, uint16_t index) {
  ic::Bytes k(id.begin(), id.end());
  k.push_back(0);
  k.push_back(static_cast<uint8_t>(index >> 8));
  k.push_back(static_cast<uint8_t>(index));
  return k;
}

void put_unit(const LearningUnit& u, uint64_t now) {
  ic::Bytes body = cdk::encode_args(u);
  size_t chunks = (body.size() + kChunk - 1) / kChunk;
  if (chunks > 0xFFFF) cdk::trap("learning_content: unit " + u.id + " is too large to store");
  Stable& st = stable();
  // Chunks left over from a longer earlier version of the unit go first.
  if (auto old = st.units.get(u.id))
    for (uint32_t i = static_cast<uint32_t>(chunks); i < old->chunks; ++i)
      st.chunks.remove(chunk_key(u.id, static_cast<uint16_t>(i)));
  for (size_t i = 0; i < chunks; ++i) {
    size_t from = i * kChunk, n = std::min(kChunk, body.size() - from);
    st.chunks.insert(chunk_key(u.id, static_cast<uint16_t>(i)), ic::Bytes(body.begin() + from, body.begin() + from + n));
  }
  UnitMeta m{u.title, u.chapter, static_cast<uint32_t>(u.questions.size()), now, static_cast<uint32_t>(chunks)};
  st.units.insert(u.id, m);
}

std::optional<LearningUnit> load_unit(const std::string& id) {
  Stable& st = stable();
  auto meta = st.units.get(id);
  if (!meta) return std::nullopt;
  ic::Bytes body;
  for (uint32_t i = 0; i < meta->chunks; ++i) {
    auto c = st.chunks.get(chunk_key(id, static_cast<uint16_t>(i)));
    if (!c) cdk::trap("learning_content: chunk " + std::to_string(i) + " of unit " + id + " is missing");
    body.insert(body.end(), c->begin(), c->end());
  }
  std::tuple<LearningUnit> out;
  std::string error;
  if (!cdk::decode_args(body, out, error)) cdk::trap("learning_content: stored unit " + id + " does not decode: " + error);
  return std::move(std::get<0>(out));
}

bool delete_unit(const std::string& id) {
  Stable& st = stable();
  auto meta = st.units.remove(id);
  if (!meta) return false;
  for (uint32_t i = 0; i < meta->chunks; ++i) st.chunks.remove(chunk_key(id, static_cast<uint16_t>(i)));
  return true;
}

}  // namespace learning_content
