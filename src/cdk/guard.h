// Locks and reservations that survive awaits: keep other messages off state that an in-flight call will
// change, and set amounts aside until the call's outcome is known. Hold them in a cdk::Heap.
#pragma once

// Both hand out RAII objects meant to live in the coroutine frame across co_await. They are released by
// their destructor: when the method finishes, or in the cleanup after a trap in a callback (cdk/task.h).
// The objects hold only an id; whether a lock or reservation is still held is recorded in the set itself,
// so a trap that rolls the set back also rolls back a release or commit made after the await.
// Locks and reservations are heap state: an upgrade forgets them (stop the canister before upgrading, so
// that no call is in flight).

#include <cstdint>
#include <map>
#include <optional>
#include <utility>

namespace cdk {

// Mutual exclusion per key: try_lock fails while another message holds the key.
template <class K>
class LockSet {
 public:
  class Guard {
   public:
    Guard(Guard&& o) noexcept : set_(std::exchange(o.set_, nullptr)), key_(std::move(o.key_)), id_(o.id_) {}
    Guard& operator=(Guard&&) = delete;
    ~Guard() { release(); }
    // Releases early (idempotent).
    void release() {
      if (set_) set_->unlock(key_, id_);
      set_ = nullptr;
    }

   private:
    friend class LockSet;
    Guard(LockSet* s, K k, uint64_t id) : set_(s), key_(std::move(k)), id_(id) {}
    LockSet* set_;
    K key_;
    uint64_t id_;
  };

  // The guard, or nullopt while the key is held.
  std::optional<Guard> try_lock(const K& key) {
    if (held_.count(key)) return std::nullopt;
    uint64_t id = ++last_id_;
    held_.emplace(key, id);
    return Guard(this, key, id);
  }
  bool locked(const K& key) const { return held_.count(key) != 0; }
  size_t size() const { return held_.size(); }

 private:
  void unlock(const K& key, uint64_t id) {
    auto it = held_.find(key);
    if (it != held_.end() && it->second == id) held_.erase(it);
  }
  std::map<K, uint64_t> held_;  // key -> id of the guard holding it
  uint64_t last_id_ = 0;
};

// Amounts set aside per key while a call is in flight, e.g. spendable = balance - reserved(user).
// A ticket either commits (the caller applies the real change in the same execution) or, when destroyed
// uncommitted, simply stops reserving.
template <class K, class Amount>
class Reservations {
 public:
  class Ticket {
   public:
    Ticket(Ticket&& o) noexcept : set_(std::exchange(o.set_, nullptr)), id_(o.id_) {}
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (set_) set_->end(id_);
    }
    // The reserved amount has been applied for real: stop reserving it (same as destruction, but explicit).
    void commit() {
      if (set_) set_->end(id_);
      set_ = nullptr;
    }
    bool open() const { return set_ && set_->open_.count(id_); }

   private:
    friend class Reservations;
    Ticket(Reservations* s, uint64_t id) : set_(s), id_(id) {}
    Reservations* set_;
    uint64_t id_;
  };

  Ticket reserve(const K& key, Amount amount) {
    uint64_t id = ++last_id_;
    open_.emplace(id, std::make_pair(key, amount));
    per_key_[key] += amount;
    total_ += amount;
    return Ticket(this, id);
  }
  Amount reserved(const K& key) const {
    auto it = per_key_.find(key);
    return it == per_key_.end() ? Amount{} : it->second;
  }
  Amount total() const { return total_; }
  size_t count() const { return open_.size(); }

 private:
  void end(uint64_t id) {
    auto it = open_.find(id);
    if (it == open_.end()) return;
    auto& [key, amount] = it->second;
    auto k = per_key_.find(key);
    k->second -= amount;
    if (k->second == Amount{}) per_key_.erase(k);
    total_ -= amount;
    open_.erase(it);
  }
  std::map<uint64_t, std::pair<K, Amount>> open_;
  std::map<K, Amount> per_key_;
  Amount total_{};
  uint64_t last_id_ = 0;
};

}  // namespace cdk
