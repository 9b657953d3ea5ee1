// Coroutine bookkeeping shared by every cdk::Task.
#include "cdk/task.h"

#if CDK_NATIVE
#include <cstring>
#include <map>
#include <vector>
#endif

namespace cdk::detail {

PromiseBase* g_running = nullptr;

PromiseBase::PromiseBase() : parent(g_running) {}
PromiseBase::~PromiseBase() = default;

#if CDK_NATIVE
namespace {
struct Frames {
  std::map<uintptr_t, size_t> live;  // frame address -> size
  struct Saved {
    uintptr_t at;
    std::vector<unsigned char> bytes;
  };
  std::vector<Saved> saved;
  bool saving = false;
};
Frames& frames() {
  static Frames f;
  return f;
}
}  // namespace

void* frame_alloc(size_t n) {
  void* p = ::operator new(n);
  frames().live.emplace(reinterpret_cast<uintptr_t>(p), n);
  return p;
}
void frame_free(void* p) noexcept {
  frames().live.erase(reinterpret_cast<uintptr_t>(p));
  ::operator delete(p);  // deferred by the mock during a message execution
}
bool promise_alive(const PromiseBase* p) {
  auto& live = frames().live;
  auto at = reinterpret_cast<uintptr_t>(p);
  auto it = live.upper_bound(at);
  if (it == live.begin()) return false;
  --it;
  return at < it->first + it->second;
}
void frames_save() {
  Frames& f = frames();
  f.saved.clear();
  for (auto& [at, n] : f.live) {
    auto* b = reinterpret_cast<const unsigned char*>(at);
    f.saved.push_back({at, std::vector<unsigned char>(b, b + n)});
  }
  f.saving = true;
}
void frames_restore() {
  Frames& f = frames();
  if (!f.saving) return;
  f.live.clear();  // frames created by the trapped execution are forgotten (their memory leaks)
  for (auto& s : f.saved) {
    std::memcpy(reinterpret_cast<void*>(s.at), s.bytes.data(), s.bytes.size());
    f.live.emplace(s.at, s.bytes.size());
  }
  frames_drop();
}
void frames_drop() {
  Frames& f = frames();
  f.saved.clear();
  f.saving = false;
}
#endif

}  // namespace cdk::detail
