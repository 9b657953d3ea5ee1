// learning_content's stable layout: configuration, registered shards and units live in stable structures,
// so an upgrade keeps them without pre_upgrade work; the heap only mirrors the configuration.
#pragma once

// Memories: 0 configuration, 1 registered shards, 2 unit index (id -> summary), 3 unit bodies in chunks.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "canisters/learning_content/logic.h"
#include "canisters/learning_content/types.h"
#include "cdk/btree.h"
#include "cdk/runtime.h"
#include "cdk/stable.h"

namespace learning_content {

struct StoredConfig {
  Principal hub;
  std::vector<Principal> curators;
  uint8_t pass_mark = kDefaultPassMark;
};
CDK_RECORD(StoredConfig, hub, curators, pass_mark)

// One unit in the index: what listings show, and how many body chunks it has.
struct UnitMeta {
  std::string title;
  std::string chapter;
  uint32_t question_count = 0;
  uint64_t updated_at = 0;
  uint32_t chunks = 0;
};
CDK_RECORD(UnitMeta, title, chapter, question_count, updated_at, chunks)

// A unit body (its Candid encoding, answers included) is split into chunks of this size.
constexpr size_t kChunk = 2048;
constexpr uint32_t kMetaMax = 1024;  // Candid of UnitMeta: titles and chapters are bounded by 200 bytes
constexpr uint32_t kChunkKeyMax = kMaxUnitId + 3;

struct Stable {
  cdk::StableCell<StoredConfig> config{cdk::Memory(0)};
  cdk::StableBTreeMap<Principal, uint64_t> shards{cdk::Memory(1)};
  cdk::StableBTreeMap<std::string, UnitMeta, kMaxUnitId, kMetaMax> units{cdk::Memory(2)};
  cdk::StableBTreeMap<ic::Bytes, ic::Bytes, kChunkKeyMax, kChunk> chunks{cdk::Memory(3)};
};
Stable& stable();

// Chunk key: the id, a 0 byte (ids never contain one, so a unit's chunks sort together), the chunk number.
ic::Bytes chunk_key(const std::string& id, uint16_t index);

// Writes the unit (index entry and body) / reads its body back / deletes both.
void put_unit(const LearningUnit& u, uint64_t now);
std::optional<LearningUnit> load_unit(const std::string& id);
bool delete_unit(const std::string& id);

struct HeapState {
  StoredConfig config;
};
extern cdk::Heap<HeapState> heap;

}  // namespace learning_content
