// replica::exec::vm on Debian's libwabt 1.0.32 (compiled as C++17): parsing, validation against mainnet's
// feature set, instrumentation on wabt's IR, the interpreter instance, dirty-page tracking and rollback.
//
// Instrumentation (toolchain.md §4), applied to the validated IR and written back to a binary that the
// interpreter loads:
//  * Instruction counting. A new mutable i64 global $budget holds the instructions still allowed. Each
//    straight-line segment (ending at block/loop/if/else/end/br/br_table/return/unreachable) starts
//    with `$budget -= <instructions in the segment>`; loop headers and the entries of functions that
//    call others then check `$budget < 0 → unreachable` (a function without loops or calls runs a
//    bounded number of instructions; its caller checks). A trap (or a normal return) with $budget < 0 is
//    reported as InstructionLimit. A segment is charged when it starts, and br_if does not end one, so a
//    trap or a taken br_if over-counts by at most the rest of that segment. System API calls are
//    charged by the host (engine.cpp). Measured cost: see bench/replica_exec.
//  * Dirty-page tracking for rollback. A second memory (wabt's multi-memory; the canister cannot name it:
//    its code was validated without multi-memory) is a byte map, one byte per 4 KiB heap page. After every
//    store the page of its effective address is marked (`i32.store8 1` of 1). A store of up to 16 bytes
//    can spill into the next page; instead of marking it too, commit/rollback treat the first 16 bytes of
//    the page after a dirty one as possibly changed (rollback restores them, commit compares them).
//    memory.fill/copy/init call an added helper that marks every page of the destination range.
//  * memory.grow becomes a call to an added helper that refuses growth above $mem_limit (a global the
//    host sets from wasm_memory_limit: grow returns -1, as on mainnet) and grows the byte map with the heap.
//  * The start function is removed from the binary and run explicitly by create(), so re-instantiating
//    (rollback after memory.grow, restore from disk) never runs it again.
//
// Rollback: the Vm keeps a committed shadow copy of the heap and the committed globals. commit() copies
// the dirty pages into the shadow, rollback() copies them back; the map is cleared either way, so the
// work per message is proportional to the pages it wrote (plus a scan of one byte per 4 KiB page).
// wabt's Memory cannot shrink: rolling back an execution that grew the heap re-instantiates the module
// from the same ModuleDesc and copies the committed heap into it — a whole-heap copy, but only on that
// rare path (failed message that had grown memory; note that every query that grows memory takes it).
// The shadow doubles the host memory an instance takes (a 256 MiB heap costs about 512 MiB of RSS).
//
// Differences from mainnet that come from the interpreter (see also engine.cpp):
//  * wabt's Thread has a fixed 64 KiB value stack / ~1,600 frames: deep recursion traps with
//    "call stack exhausted" far earlier than on mainnet.
//  * Table contents (table.set/grow/fill/copy/init) are neither rolled back nor persisted; a trap after a
//    table mutation leaves it, and a restart starts from the module's element segments.
//  * Reference-typed mutable globals are not persisted (they restart from their initialiser).
//  * Bulk memory operations (memory.fill/copy/init) cost one instruction plus one per byte.
//  * Blocks, loops and ifs may nest at most kMaxNesting (10,000) deep: the instrumentation and wabt's IR
//    recurse over nesting, so a deeper module would overflow the host stack. Compilers stay far below.

#include "replica/exec/vm.h"

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader-nop.h>
#include <wabt/binary-reader.h>
#include <wabt/binary-writer.h>
#include <wabt/cast.h>
#include <wabt/error-formatter.h>
#include <wabt/feature.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>
#include <wabt/ir.h>
#include <wabt/resolve-names.h>
#include <wabt/stream.h>
#include <wabt/validator.h>
#include <wabt/wast-lexer.h>
#include <wabt/wast-parser.h>

#include <chrono>
#include <cstring>
#include <map>

namespace replica::exec::vm {
namespace {

using wabt::Const;
using wabt::Expr;
using wabt::ExprList;
using wabt::ExprType;
using wabt::Index;
using wabt::Location;
using wabt::Opcode;
using wabt::Type;
using wabt::Var;

constexpr uint64_t kWasmPage = 65536;

// What mainnet accepts (interface spec "WebAssembly module requirements"; ic-protocol.md §6.1).
wabt::Features mainnet_features() {
  wabt::Features f;
  f.disable_exceptions();
  f.disable_threads();
  f.disable_function_references();
  f.disable_tail_call();
  f.disable_annotations();
  f.disable_code_metadata();
  f.disable_gc();
  f.disable_memory64();
  f.disable_multi_memory();
  f.disable_extended_const();
  f.disable_relaxed_simd();
  f.enable_mutable_globals();
  f.enable_sat_float_to_int();
  f.enable_sign_extension();
  f.enable_simd();
  f.enable_multi_value();
  f.enable_bulk_memory();
  f.enable_reference_types();
  return f;
}

// The instrumented binary also uses a second memory.
wabt::Features runtime_features() {
  wabt::Features f = mainnet_features();
  f.enable_multi_memory();
  return f;
}

ValType val_type(Type t) {
  switch (t) {
    case Type::I32: return ValType::I32;
    case Type::I64: return ValType::I64;
    case Type::F32: return ValType::F32;
    case Type::F64: return ValType::F64;
    case Type::V128: return ValType::V128;
    case Type::FuncRef: return ValType::FuncRef;
    case Type::ExternRef: return ValType::ExternRef;
    default: return ValType::Other;
  }
}

const char* val_type_name(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
    default: return "?";
  }
}

std::string sig_text(const Signature& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.params.size(); ++i) out += (i ? ", " : "") + std::string(val_type_name(s.params[i]));
  out += ") -> (";
  for (size_t i = 0; i < s.results.size(); ++i) out += (i ? ", " : "") + std::string(val_type_name(s.results[i]));
  return out + ")";
}

std::string first_error(const wabt::Errors& errors) {
  for (const auto& e : errors)
    if (e.error_level == wabt::ErrorLevel::Error) return e.message;
  return errors.empty() ? "unknown error" : errors.front().message;
}

// Reads and validates with `f`; empty string on success.
std::string read_and_validate(const uint8_t* data, size_t size, const wabt::Features& f, wabt::Module* out) {
  wabt::Errors errors;
  wabt::ReadBinaryOptions opts(f, nullptr, /*read_debug_names=*/false, /*stop_on_first_error=*/true,
                               /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wabt::ReadBinaryIr("canister.wasm", data, size, opts, &errors, out))) return first_error(errors);
  wabt::ValidateOptions vopts(f);
  if (wabt::Failed(wabt::ValidateModule(out, &errors, vopts))) return first_error(errors);
  return {};
}

// ---------------------------------------------------------------------------------------------------------
// Instrumentation

template <class T, class... A>
std::unique_ptr<Expr> mk(A&&... a) {
  return std::make_unique<T>(std::forward<A>(a)...);
}
std::unique_ptr<Expr> i32c(uint32_t v) { return mk<wabt::ConstExpr>(Const::I32(v)); }
std::unique_ptr<Expr> i64c(uint64_t v) { return mk<wabt::ConstExpr>(Const::I64(v)); }
std::unique_ptr<Expr> op(Opcode o) {
  switch (o) {
    case Opcode::I32Eqz:
    case Opcode::I64ExtendI32U: return mk<wabt::ConvertExpr>(o);
    case Opcode::I32Eq:
    case Opcode::I32GeU:
    case Opcode::I32GtS:
    case Opcode::I64GtU:
    case Opcode::I64LtS: return mk<wabt::CompareExpr>(o);
    default: return mk<wabt::BinaryExpr>(o);
  }
}
std::unique_ptr<Expr> lget(Index i) { return mk<wabt::LocalGetExpr>(Var(i, Location())); }
std::unique_ptr<Expr> lset(Index i) { return mk<wabt::LocalSetExpr>(Var(i, Location())); }
std::unique_ptr<Expr> ltee(Index i) { return mk<wabt::LocalTeeExpr>(Var(i, Location())); }
std::unique_ptr<Expr> gget(Index i) { return mk<wabt::GlobalGetExpr>(Var(i, Location())); }
std::unique_ptr<Expr> gset(Index i) { return mk<wabt::GlobalSetExpr>(Var(i, Location())); }
std::unique_ptr<Expr> call(Index f) { return mk<wabt::CallExpr>(Var(f, Location())); }
std::unique_ptr<Expr> mark_store8() {
  return mk<wabt::StoreExpr>(Opcode::I32Store8, Var(1, Location()), 0, 0);
}
std::unique_ptr<Expr> mem_size(Index m) { return mk<wabt::MemorySizeExpr>(Var(m, Location())); }
std::unique_ptr<Expr> mem_grow(Index m) { return mk<wabt::MemoryGrowExpr>(Var(m, Location())); }
// if (cond on stack) { body } with no results
std::unique_ptr<Expr> if_then(std::vector<std::unique_ptr<Expr>> body) {
  auto e = std::make_unique<wabt::IfExpr>();
  for (auto& b : body) e->true_.exprs.push_back(std::move(b));
  return e;
}

template <class... E>
std::vector<std::unique_ptr<Expr>> seq(E&&... e) {
  std::vector<std::unique_ptr<Expr>> v;
  (v.push_back(std::forward<E>(e)), ...);
  return v;
}

struct Instrumenter {
  wabt::Module& m;
  Index budget_g = 0, memlimit_g = 0;
  Index mark_range_f = 0, grow_f = 0;
  bool has_memory = false;

  wabt::Func* fn = nullptr;
  std::map<int, Index> temps;  // per function: slot -> local index

  Index temp(int slot, Type t) {
    auto it = temps.find(slot);
    if (it != temps.end()) return it->second;
    Index idx = fn->GetNumParamsAndLocals();
    fn->local_types.AppendDecl(t, 1);
    temps[slot] = idx;
    return idx;
  }
  // slots: 0..2 i32 scratch (addr, t1, t2), 10+type value temps
  Index value_temp(Type t) { return temp(10 + static_cast<int>(val_type(t)), t); }

  static void insert_before(ExprList& list, ExprList::iterator pos, std::vector<std::unique_ptr<Expr>> v) {
    for (auto& e : v) list.insert(pos, std::move(e));
  }

  void charge(ExprList& list, ExprList::iterator pos, uint64_t cost, bool check) {
    std::vector<std::unique_ptr<Expr>> v;
    if (cost) v = seq(gget(budget_g), i64c(cost), op(Opcode::I64Sub), gset(budget_g));
    if (check) {
      v.push_back(gget(budget_g));
      v.push_back(i64c(0));
      v.push_back(op(Opcode::I64LtS));
      v.push_back(if_then(seq(mk<wabt::UnreachableExpr>())));
    }
    insert_before(list, pos, std::move(v));
  }

  // Rewrites a store at `it`; returns the iterator after everything that belongs to it.
  ExprList::iterator rewrite_store(ExprList& list, ExprList::iterator it, Type vt, uint64_t offset) {
    Index a = temp(0, Type::I32);
    Index v = value_temp(vt);
    insert_before(list, it, seq(lset(v), ltee(a), lget(v)));
    auto next = std::next(it);
    std::vector<std::unique_ptr<Expr>> after;
    after.push_back(lget(a));
    if (offset) {
      after.push_back(i32c(static_cast<uint32_t>(offset)));
      after.push_back(op(Opcode::I32Add));
    }
    after.push_back(i32c(12));
    after.push_back(op(Opcode::I32ShrU));
    after.push_back(i32c(1));
    after.push_back(mark_store8());
    insert_before(list, next, std::move(after));
    return next;
  }

  // memory.fill / copy / init: [d, x, n] on the stack; mark [d, d+n) afterwards.
  ExprList::iterator rewrite_bulk(ExprList& list, ExprList::iterator it, Type middle) {
    Index a = temp(0, Type::I32), n = temp(1, Type::I32), x = middle == Type::I32 ? temp(2, Type::I32) : value_temp(middle);
    // One instruction per byte, charged and checked before the operation (a fill over the limit never runs).
    insert_before(list, it, seq(lset(n), lset(x), ltee(a), gget(budget_g), lget(n), op(Opcode::I64ExtendI32U),
                                op(Opcode::I64Sub), gset(budget_g), gget(budget_g), i64c(0), op(Opcode::I64LtS),
                                if_then(seq(mk<wabt::UnreachableExpr>())), lget(x), lget(n)));
    auto next = std::next(it);
    insert_before(list, next, seq(lget(a), lget(n), call(mark_range_f)));
    return next;
  }

  static bool ends_segment(ExprType t) {
    switch (t) {
      case ExprType::Block:
      case ExprType::Loop:
      case ExprType::If:
      case ExprType::Br:
      case ExprType::BrTable:
      case ExprType::Return:
      case ExprType::Unreachable:
        return true;
      default:
        return false;
    }
  }

  void walk(ExprList& list, bool check_at_start) {
    auto it = list.begin();
    auto seg = it;
    uint64_t cost = 0;
    bool first = true;
    while (it != list.end()) {
      Expr& e = *it;
      ++cost;
      ExprType t = e.type();
      auto next = std::next(it);
      switch (t) {
        case ExprType::Block: walk(wabt::cast<wabt::BlockExpr>(&e)->block.exprs, false); break;
        case ExprType::Loop: walk(wabt::cast<wabt::LoopExpr>(&e)->block.exprs, true); break;
        case ExprType::If: {
          auto* ife = wabt::cast<wabt::IfExpr>(&e);
          walk(ife->true_.exprs, false);
          walk(ife->false_, false);
          break;
        }
        case ExprType::Store: {
          auto* s = wabt::cast<wabt::StoreExpr>(&e);
          next = rewrite_store(list, it, s->opcode.GetParamType2(), s->offset);
          break;
        }
        case ExprType::SimdStoreLane: {
          auto* s = wabt::cast<wabt::SimdStoreLaneExpr>(&e);
          next = rewrite_store(list, it, Type::V128, s->offset);
          break;
        }
        case ExprType::MemoryFill: next = rewrite_bulk(list, it, Type::I32); break;
        case ExprType::MemoryCopy: next = rewrite_bulk(list, it, Type::I32); break;
        case ExprType::MemoryInit: next = rewrite_bulk(list, it, Type::I32); break;
        case ExprType::MemoryGrow: {
          auto c = list.insert(it, call(grow_f));
          if (seg == it) seg = c;  // the segment starts here: never charge before an erased node
          list.erase(it);
          it = c;
          next = std::next(c);
          break;
        }
        default: break;
      }
      if (ends_segment(t)) {
        charge(list, seg, cost, first && check_at_start);
        first = false;
        cost = 0;
        seg = next;
      }
      it = next;
    }
    if (cost || (first && check_at_start)) charge(list, seg, cost, first && check_at_start);
  }

  Index add_type(std::vector<Type> params, std::vector<Type> results) {
    auto f = std::make_unique<wabt::TypeModuleField>();
    auto ft = std::make_unique<wabt::FuncType>();
    ft->sig.param_types = std::move(params);
    ft->sig.result_types = std::move(results);
    Index idx = static_cast<Index>(m.types.size());
    f->type = std::move(ft);
    m.AppendField(std::move(f));
    return idx;
  }

  Index add_func(Index type, std::vector<Type> params, std::vector<Type> results, std::vector<Type> locals,
                 std::vector<std::unique_ptr<Expr>> body) {
    auto f = std::make_unique<wabt::FuncModuleField>();
    f->func.decl.has_func_type = true;
    f->func.decl.type_var = Var(type, Location());
    f->func.decl.sig.param_types = std::move(params);
    f->func.decl.sig.result_types = std::move(results);
    for (Type t : locals) f->func.local_types.AppendDecl(t, 1);
    for (auto& e : body) f->func.exprs.push_back(std::move(e));
    Index idx = static_cast<Index>(m.funcs.size());
    m.AppendField(std::move(f));
    return idx;
  }

  Index add_global(uint64_t init) {
    auto g = std::make_unique<wabt::GlobalModuleField>();
    g->global.type = Type::I64;
    g->global.mutable_ = true;
    g->global.init_expr.push_back(i64c(init));
    Index idx = static_cast<Index>(m.globals.size());
    m.AppendField(std::move(g));
    return idx;
  }

  void run() {
    has_memory = !m.memories.empty();
    budget_g = add_global(0);
    memlimit_g = add_global(65536);
    size_t user_funcs = m.funcs.size();
    if (has_memory) {
      // The dirty map: one byte per 4 KiB page of memory 0, i.e. one wasm page per 4096 heap pages.
      auto mf = std::make_unique<wabt::MemoryModuleField>();
      mf->memory.page_limits = wabt::Limits((m.memories[0]->page_limits.initial + 4095) / 4096);
      if (mf->memory.page_limits.initial == 0) mf->memory.page_limits.initial = 1;
      m.AppendField(std::move(mf));
      // $mark_range(d, n): marks pages d>>12 .. (d+n-1)>>12 (n > 0).
      Index t_ii = add_type({Type::I32, Type::I32}, {});
      std::vector<std::unique_ptr<Expr>> body;
      body.push_back(lget(1));
      body.push_back(op(Opcode::I32Eqz));
      body.push_back(if_then(seq(mk<wabt::ReturnExpr>())));
      for (auto& e : seq(lget(0), i32c(12), op(Opcode::I32ShrU), lset(2), lget(0), lget(1), op(Opcode::I32Add),
                         i32c(1), op(Opcode::I32Sub), i32c(12), op(Opcode::I32ShrU), lset(3)))
        body.push_back(std::move(e));
      auto blk = std::make_unique<wabt::BlockExpr>();
      auto loop = std::make_unique<wabt::LoopExpr>();
      for (auto& e : seq(lget(2), i32c(1), mark_store8(), lget(2), lget(3), op(Opcode::I32GeU),
                         mk<wabt::BrIfExpr>(Var(1, Location())), lget(2), i32c(1), op(Opcode::I32Add), lset(2),
                         mk<wabt::BrExpr>(Var(0, Location()))))
        loop->block.exprs.push_back(std::move(e));
      blk->block.exprs.push_back(std::move(loop));
      body.push_back(std::move(blk));
      mark_range_f = static_cast<Index>(user_funcs + 0);
      // $grow(delta) -> old pages | -1, honouring $mem_limit and growing the dirty map along.
      Index t_i_i = add_type({Type::I32}, {Type::I32});
      std::vector<std::unique_ptr<Expr>> g;
      for (auto& e : seq(mem_size(0), op(Opcode::I64ExtendI32U), lget(0), op(Opcode::I64ExtendI32U), op(Opcode::I64Add),
                         gget(memlimit_g), op(Opcode::I64GtU), if_then(seq(i32c(0xFFFFFFFFu), mk<wabt::ReturnExpr>())),
                         lget(0), mem_grow(0), ltee(1), i32c(0xFFFFFFFFu), op(Opcode::I32Eq),
                         if_then(seq(i32c(0xFFFFFFFFu), mk<wabt::ReturnExpr>())), mem_size(0), i32c(4095),
                         op(Opcode::I32Add), i32c(12), op(Opcode::I32ShrU), mem_size(1), op(Opcode::I32Sub), ltee(2),
                         i32c(0), op(Opcode::I32GtS), if_then(seq(lget(2), mem_grow(1), mk<wabt::DropExpr>())), lget(1)))
        g.push_back(std::move(e));
      grow_f = static_cast<Index>(user_funcs + 1);
      // Instrument the user's functions first (the helpers are appended after and stay uncounted).
      instrument_funcs(user_funcs);
      add_func(t_ii, {Type::I32, Type::I32}, {}, {Type::I32, Type::I32}, std::move(body));
      add_func(t_i_i, {Type::I32}, {Type::I32}, {Type::I32, Type::I32}, std::move(g));
    } else {
      instrument_funcs(user_funcs);
    }
  }

  static bool has_calls(const ExprList& list) {
    for (const Expr& e : list) {
      switch (e.type()) {
        case ExprType::Call:
        case ExprType::CallIndirect:
        case ExprType::CallRef:
        case ExprType::ReturnCall:
        case ExprType::ReturnCallIndirect: return true;
        case ExprType::Block:
          if (has_calls(wabt::cast<wabt::BlockExpr>(&e)->block.exprs)) return true;
          break;
        case ExprType::Loop:
          if (has_calls(wabt::cast<wabt::LoopExpr>(&e)->block.exprs)) return true;
          break;
        case ExprType::If: {
          const auto* ife = wabt::cast<wabt::IfExpr>(&e);
          if (has_calls(ife->true_.exprs) || has_calls(ife->false_)) return true;
          break;
        }
        default: break;
      }
    }
    return false;
  }

  void instrument_funcs(size_t user_funcs) {
    for (size_t i = m.num_func_imports; i < user_funcs; ++i) {
      fn = m.funcs[i];
      temps.clear();
      walk(fn->exprs, has_calls(fn->exprs));
    }
    fn = nullptr;
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Code

class Code {
 public:
  wabt::interp::ModuleDesc desc;
  size_t binary_size = 0;
  std::vector<Signature> import_sigs;
  std::vector<ValType> global_types;  // the module's own globals
  Index budget_g = 0, memlimit_g = 0;
  bool has_memory = false;
  bool has_table = false;
  int64_t start_func = -1;
  std::map<std::string, Index> func_exports;  // name -> function index
};

size_t instrumented_size(const Code& code) { return code.binary_size; }

namespace {

constexpr uint32_t kMaxNesting = 10'000;

// Measures the deepest block/loop/if/try nesting without building wabt's IR (whose construction is
// iterative but whose destruction, validation-by-instrumentation and writing recurse over nesting).
// Read with every feature enabled so that no later read (the refused-feature probes) sees more code.
class NestingScan : public wabt::BinaryReaderNop {
 public:
  uint32_t depth = 0;
  bool too_deep = false;
  bool OnError(const wabt::Error&) override { return true; }  // handled: wabt would print it otherwise
  wabt::Result BeginFunctionBody(Index, wabt::Offset) override {
    depth = 0;
    return wabt::Result::Ok;
  }
  wabt::Result OnBlockExpr(Type) override { return push(); }
  wabt::Result OnLoopExpr(Type) override { return push(); }
  wabt::Result OnIfExpr(Type) override { return push(); }
  wabt::Result OnTryExpr(Type) override { return push(); }
  wabt::Result OnEndExpr() override {
    if (depth) --depth;
    return wabt::Result::Ok;
  }

 private:
  wabt::Result push() {
    if (++depth > kMaxNesting) {
      too_deep = true;
      return wabt::Result::Error;  // stops the read at once
    }
    return wabt::Result::Ok;
  }
};

bool nesting_too_deep(const uint8_t* wasm, size_t size) {
  wabt::Features all;
  all.EnableAll();
  wabt::ReadBinaryOptions opts(all, nullptr, false, /*stop_on_first_error=*/true, false);
  NestingScan scan;
  (void)wabt::ReadBinary(wasm, size, &scan, opts);
  return scan.too_deep;
}

}  // namespace

std::string compile(const uint8_t* wasm, size_t size, const CompileLimits& limits, ImportLookup lookup,
                    std::shared_ptr<const Code>* out, ModuleFacts* facts) {
  wabt::Module m;
  if (nesting_too_deep(wasm, size))
    return "wasm module nests blocks, loops and ifs more than " + std::to_string(kMaxNesting) +
           " deep, which the local network does not support";
  std::string err = read_and_validate(wasm, size, mainnet_features(), &m);
  if (!err.empty()) {
    // Name the proposal when enabling one refused feature makes the module acceptable.
    struct Refused {
      const char* name;
      void (wabt::Features::*enable)();
    };
    const Refused refused[] = {
        {"threads", &wabt::Features::enable_threads},
        {"exception handling", &wabt::Features::enable_exceptions},
        {"tail calls", &wabt::Features::enable_tail_call},
        {"garbage collection", &wabt::Features::enable_gc},
        {"memory64", &wabt::Features::enable_memory64},
        {"multi-memory", &wabt::Features::enable_multi_memory},
        {"typed function references", &wabt::Features::enable_function_references},
        {"extended constant expressions", &wabt::Features::enable_extended_const},
        {"relaxed SIMD", &wabt::Features::enable_relaxed_simd},
    };
    for (const auto& r : refused) {
      wabt::Features f = mainnet_features();
      (f.*r.enable)();
      if (r.enable == &wabt::Features::enable_gc || r.enable == &wabt::Features::enable_tail_call)
        f.enable_function_references();
      wabt::Module probe;
      if (read_and_validate(wasm, size, f, &probe).empty())
        return std::string("wasm module uses the ") + r.name +
               " proposal, which the Internet Computer does not accept";
    }
    return "invalid wasm module: " + err;
  }

  // §6.1: ≤ 1 memory (reading without multi-memory enforces it), only ic0 function imports.
  for (const wabt::Import* imp : m.imports) {
    std::string what = imp->module_name + "." + imp->field_name;
    if (imp->module_name != "ic0")
      return "wasm module imports " + what + ": only ic0 functions are allowed (ic-protocol.md §6.1)";
    if (imp->kind() != wabt::ExternalKind::Func)
      return "wasm module imports " + what + " as a non-function: only ic0 functions are allowed";
    const Signature* want = lookup(imp->field_name);
    if (!want) return "wasm module imports " + what + ", which is not a System API function (ic-protocol.md §6.2)";
    const auto* fi = wabt::cast<wabt::FuncImport>(imp);
    const wabt::FuncSignature& sig =
        fi->func.decl.has_func_type ? m.GetFuncType(fi->func.decl.type_var)->sig : fi->func.decl.sig;
    Signature got;
    for (Type t : sig.param_types) got.params.push_back(val_type(t));
    for (Type t : sig.result_types) got.results.push_back(val_type(t));
    if (got.params != want->params || got.results != want->results)
      return "wasm module imports " + what + " with type " + sig_text(got) + ", but the System API defines " +
             sig_text(*want);
  }
  if (m.funcs.size() - m.num_func_imports > limits.max_functions)
    return "wasm module defines " + std::to_string(m.funcs.size() - m.num_func_imports) +
           " functions, more than the limit of " + std::to_string(limits.max_functions);
  if (m.globals.size() > limits.max_globals)
    return "wasm module defines " + std::to_string(m.globals.size()) + " globals, more than the limit of " +
           std::to_string(limits.max_globals);
  if (m.memories.size() > 1) return "wasm module defines more than one memory";

  auto code = std::make_shared<Code>();
  facts->imports.clear();
  for (const wabt::Import* imp : m.imports) {
    facts->imports.push_back(imp->field_name);
    code->import_sigs.push_back(*lookup(imp->field_name));
  }
  for (const wabt::Export* e : m.exports) {
    if (e->kind == wabt::ExternalKind::Func && e->name.rfind("canister_", 0) == 0) {
      // §6.1: every canister_* export is () -> ().
      const wabt::Func* f = m.GetFunc(e->var);
      if (f && (f->GetNumParams() != 0 || f->GetNumResults() != 0))
        return "wasm module exports '" + e->name + "' with parameters or results: entry points must be () -> ()";
    }
    if (e->kind == wabt::ExternalKind::Func) {
      facts->func_exports.push_back(e->name);
      code->func_exports[e->name] = m.GetFuncIndex(e->var);
    } else {
      facts->other_exports.push_back(e->name);
    }
  }
  for (const wabt::Global* g : m.globals) {
    facts->global_types.push_back(val_type(g->type));
    code->global_types.push_back(val_type(g->type));
  }
  facts->memories = static_cast<uint32_t>(m.memories.size());
  facts->initial_heap_pages = m.memories.empty() ? 0 : m.memories[0]->page_limits.initial;
  code->has_table = !m.tables.empty();

  // The start function runs from create(), never from (re-)instantiation.
  if (!m.starts.empty()) {
    code->start_func = m.GetFuncIndex(*m.starts[0]);
    for (auto it = m.fields.begin(); it != m.fields.end(); ++it) {
      if (it->type() == wabt::ModuleFieldType::Start) {
        m.fields.erase(it);
        break;
      }
    }
    m.starts.clear();
  }

  Instrumenter ins{m, 0, 0, 0, 0, false, nullptr, {}};
  ins.run();
  code->budget_g = ins.budget_g;
  code->memlimit_g = ins.memlimit_g;
  code->has_memory = ins.has_memory;

  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions wopts(runtime_features(), /*canonicalize_lebs=*/true, /*relocatable=*/false,
                                 /*write_debug_names=*/false);
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, &m, wopts)))
    return "internal error: could not write the instrumented module";
  const auto& bin = stream.output_buffer().data;
  code->binary_size = bin.size();
  wabt::Errors errors;
  wabt::ReadBinaryOptions ropts(runtime_features(), nullptr, false, true, false);
  if (wabt::Failed(wabt::interp::ReadBinaryInterp("instrumented.wasm", bin.data(), bin.size(), ropts, &errors,
                                                  &code->desc)))
    return "internal error: the instrumented module does not load: " + first_error(errors);
  *out = std::move(code);
  return {};
}

// ---------------------------------------------------------------------------------------------------------
// Vm

namespace wi = wabt::interp;

struct Vm::Impl {
  std::shared_ptr<const Code> code;
  Host* host = nullptr;
  wi::Store store{runtime_features()};
  wi::Module::Ptr module;
  wi::Instance::Ptr inst;
  wi::Memory::Ptr heap, map;
  wi::Global::Ptr budget, memlimit;
  std::vector<wi::Global::Ptr> globals;
  bool host_trapped = false;

  std::vector<uint8_t> shadow;          // committed heap
  std::vector<wi::Value> committed_globals;
  uint64_t memlimit_pages = 65536;

  std::string instantiate() {
    globals.clear();
    heap.reset();
    map.reset();
    budget.reset();
    memlimit.reset();
    inst.reset();
    if (!module) module = wi::Module::New(store, code->desc);
    store.Collect();
    wi::RefVec imports;
    const auto& itypes = module->import_types();
    for (size_t i = 0; i < itypes.size(); ++i) {
      const auto* ft = wabt::cast<wi::FuncType>(itypes[i].type.get());
      uint32_t index = static_cast<uint32_t>(i);
      Impl* self = this;
      auto cb = [self, index](wi::Thread&, const wi::Values& args, wi::Values& results,
                              wi::Trap::Ptr* out) -> wabt::Result {
        const Signature& sig = self->code->import_sigs[index];
        uint64_t a[16] = {0}, r[2] = {0};
        for (size_t k = 0; k < args.size() && k < 16; ++k)
          a[k] = sig.params[k] == ValType::I32 ? args[k].Get<uint32_t>() : args[k].Get<uint64_t>();
        if (!self->host->call(index, a, r)) {
          self->host_trapped = true;
          *out = wi::Trap::New(self->store, "host trap");
          return wabt::Result::Error;
        }
        for (size_t k = 0; k < results.size(); ++k)
          results[k] = sig.results[k] == ValType::I32 ? wi::Value::Make(static_cast<uint32_t>(r[k]))
                                                      : wi::Value::Make(static_cast<uint64_t>(r[k]));
        return wabt::Result::Ok;
      };
      imports.push_back(wi::HostFunc::New(store, *ft, cb).ref());
    }
    wi::Trap::Ptr trap;
    inst = wi::Instance::Instantiate(store, module.ref(), imports, &trap);
    if (!inst) return "could not instantiate the module: " + (trap ? trap->message() : std::string("unknown error"));
    if (code->has_memory) {
      heap = store.UnsafeGet<wi::Memory>(inst->memories()[0]);
      map = store.UnsafeGet<wi::Memory>(inst->memories()[1]);
    }
    budget = store.UnsafeGet<wi::Global>(inst->globals()[code->budget_g]);
    memlimit = store.UnsafeGet<wi::Global>(inst->globals()[code->memlimit_g]);
    memlimit->UnsafeSet(wi::Value::Make(static_cast<uint64_t>(memlimit_pages)));
    for (size_t i = 0; i < code->global_types.size(); ++i)
      globals.push_back(store.UnsafeGet<wi::Global>(inst->globals()[i]));
    return {};
  }

  uint64_t heap_bytes() const { return heap ? heap->ByteSize() : 0; }

  void grow_map_for_heap() {
    if (!heap) return;
    uint64_t need = (heap->PageSize() + 4095) / 4096;
    if (need > map->PageSize()) (void)map->Grow(need - map->PageSize());
  }

  void snapshot_globals() {
    committed_globals.clear();
    for (auto& g : globals) committed_globals.push_back(g->Get());
  }

  CallResult run(wi::Func::Ptr f, const wi::Values& params) {
    host_trapped = false;
    wi::Thread thread(store);
    wi::Values results;
    wi::Trap::Ptr trap;
    wabt::Result r = f->Call(thread, params, results, &trap);
    int64_t left = budget->Get().Get<uint64_t>();
    CallResult out;
    if (wabt::Failed(r)) {
      if (host_trapped) out.status = Status::HostTrap;
      else if (left < 0) out.status = Status::InstructionLimit;
      else out.status = Status::Trap;
      out.message = trap ? trap->message() : "unknown trap";
    } else if (left < 0) {
      out.status = Status::InstructionLimit;
    }
    return out;
  }
};

Vm::Vm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Vm::~Vm() = default;

std::unique_ptr<Vm> Vm::instantiate(std::shared_ptr<const Code> code, Host* host, std::string* error) {
  auto impl = std::make_unique<Impl>();
  impl->code = std::move(code);
  impl->host = host;
  std::string err = impl->instantiate();
  if (!err.empty()) {
    *error = err;
    return nullptr;
  }
  if (impl->heap) impl->shadow.assign(impl->heap->UnsafeData(), impl->heap->UnsafeData() + impl->heap->ByteSize());
  impl->snapshot_globals();
  return std::unique_ptr<Vm>(new Vm(std::move(impl)));
}

void Vm::set_budget(int64_t remaining) { impl_->budget->UnsafeSet(wi::Value::Make(static_cast<uint64_t>(remaining))); }
int64_t Vm::budget() const { return static_cast<int64_t>(impl_->budget->Get().Get<uint64_t>()); }
void Vm::set_memory_limit_pages(uint64_t pages) {
  impl_->memlimit_pages = pages;
  impl_->memlimit->UnsafeSet(wi::Value::Make(pages));
}

CallResult Vm::run_start() {
  if (impl_->code->start_func < 0) return {};
  return impl_->run(impl_->store.UnsafeGet<wi::Func>(impl_->inst->funcs()[impl_->code->start_func]), {});
}

bool Vm::has_export(const std::string& name) const { return impl_->code->func_exports.count(name) != 0; }

CallResult Vm::call_export(const std::string& name) {
  auto it = impl_->code->func_exports.find(name);
  if (it == impl_->code->func_exports.end()) return {Status::Trap, "no export " + name};
  wi::Func::Ptr f = impl_->store.UnsafeGet<wi::Func>(impl_->inst->funcs()[it->second]);
  if (!f->type().params.empty() || !f->type().results.empty())
    return {Status::Trap, "export '" + name + "' is not of type () -> ()"};
  return impl_->run(f, {});
}

CallResult Vm::call_table(uint32_t index, uint32_t env) {
  if (!impl_->code->has_table || impl_->inst->tables().empty())
    return {Status::Trap, "callback table index " + std::to_string(index) + ": the module has no table"};
  wi::Table::Ptr t = impl_->store.UnsafeGet<wi::Table>(impl_->inst->tables()[0]);
  if (index >= t->size()) return {Status::Trap, "callback table index " + std::to_string(index) + " is out of bounds"};
  wi::Ref r = t->UnsafeGet(index);
  if (r == wi::Ref::Null || !impl_->store.Is<wi::Func>(r))
    return {Status::Trap, "callback table entry " + std::to_string(index) + " is null"};
  wi::Func::Ptr f = impl_->store.UnsafeGet<wi::Func>(r);
  const auto& ft = f->type();
  if (ft.params.size() != 1 || ft.params[0] != Type::I32 || !ft.results.empty())
    return {Status::Trap, "callback table entry " + std::to_string(index) + " is not of type (i32) -> ()"};
  return impl_->run(f, {wi::Value::Make(env)});
}

uint8_t* Vm::heap() { return impl_->heap ? impl_->heap->UnsafeData() : nullptr; }
uint64_t Vm::heap_bytes() const { return impl_->heap_bytes(); }

void Vm::mark_dirty(uint64_t offset, uint64_t len) {
  if (!impl_->heap || len == 0) return;
  uint8_t* m = impl_->map->UnsafeData();
  for (uint64_t p = offset / kPage; p <= (offset + len - 1) / kPage; ++p) m[p] = 1;
}

std::vector<uint64_t> Vm::globals() const {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < impl_->globals.size(); ++i) {
    wi::Value v = impl_->globals[i]->Get();
    switch (impl_->code->global_types[i]) {
      case ValType::I32: out.push_back(v.Get<uint32_t>()); break;
      case ValType::I64: out.push_back(v.Get<uint64_t>()); break;
      case ValType::F32: {
        float f = v.Get<float>();
        uint32_t b;
        std::memcpy(&b, &f, 4);
        out.push_back(b);
        break;
      }
      case ValType::F64: {
        double d = v.Get<double>();
        uint64_t b;
        std::memcpy(&b, &d, 8);
        out.push_back(b);
        break;
      }
      case ValType::V128: {
        ::v128 x = v.Get<::v128>();
        out.push_back(x.u64(0));
        out.push_back(x.u64(1));
        break;
      }
      default: out.push_back(0); break;  // references are not persisted
    }
  }
  return out;
}

void Vm::set_globals(const std::vector<uint64_t>& bits) {
  size_t k = 0;
  for (size_t i = 0; i < impl_->globals.size() && k < bits.size(); ++i) {
    auto& g = impl_->globals[i];
    bool mut = g->type().mut == wi::Mutability::Var;
    switch (impl_->code->global_types[i]) {
      case ValType::I32: if (mut) g->UnsafeSet(wi::Value::Make(static_cast<uint32_t>(bits[k]))); ++k; break;
      case ValType::I64: if (mut) g->UnsafeSet(wi::Value::Make(bits[k])); ++k; break;
      case ValType::F32: {
        uint32_t b = static_cast<uint32_t>(bits[k++]);
        float f;
        std::memcpy(&f, &b, 4);
        if (mut) g->UnsafeSet(wi::Value::Make(f));
        break;
      }
      case ValType::F64: {
        double d;
        std::memcpy(&d, &bits[k++], 8);
        if (mut) g->UnsafeSet(wi::Value::Make(d));
        break;
      }
      case ValType::V128: {
        if (k + 1 >= bits.size()) return;
        ::v128 x;
        x.set_u64(0, bits[k]);
        x.set_u64(1, bits[k + 1]);
        k += 2;
        if (mut) g->UnsafeSet(wi::Value::Make(x));
        break;
      }
      default: ++k; break;
    }
  }
  impl_->snapshot_globals();
}

void Vm::commit(std::vector<uint64_t>* changed) {
  Impl& s = *impl_;
  if (s.heap) {
    uint64_t bytes = s.heap->ByteSize();
    if (bytes != s.shadow.size()) s.shadow.resize(bytes, 0);  // grown pages start zero in both
    uint64_t pages = bytes / kPage;
    uint8_t* live = s.heap->UnsafeData();
    uint8_t* map = s.map->UnsafeData();
    uint8_t* sh = s.shadow.data();
    for (uint64_t p = 0; p < pages; ++p) {
      if (!map[p]) continue;
      map[p] = 0;
      std::memcpy(sh + p * kPage, live + p * kPage, kPage);
      if (changed) changed->push_back(p);
      // A store that straddled into page p+1 marked only p: compare the spill bytes.
      if (p + 1 < pages && !map[p + 1] && std::memcmp(sh + (p + 1) * kPage, live + (p + 1) * kPage, 16) != 0) {
        std::memcpy(sh + (p + 1) * kPage, live + (p + 1) * kPage, kPage);
        if (changed) changed->push_back(p + 1);
      }
    }
  }
  s.snapshot_globals();
}

void Vm::rollback() {
  Impl& s = *impl_;
  if (s.heap && s.heap->ByteSize() != s.shadow.size()) {
    // The failed execution grew the heap; wabt cannot shrink a memory: start over from the module and
    // put the committed heap back (the only whole-heap copy, on this rare path).
    std::string err = s.instantiate();
    if (err.empty() && s.heap) {
      uint64_t pages = s.shadow.size() / kWasmPage;
      if (pages > s.heap->PageSize()) (void)s.heap->Grow(pages - s.heap->PageSize());
      std::memcpy(s.heap->UnsafeData(), s.shadow.data(), s.shadow.size());
      s.grow_map_for_heap();
    }
  } else if (s.heap) {
    uint64_t pages = s.shadow.size() / kPage;
    uint8_t* live = s.heap->UnsafeData();
    uint8_t* map = s.map->UnsafeData();
    const uint8_t* sh = s.shadow.data();
    for (uint64_t p = 0; p < pages; ++p) {
      if (!map[p]) continue;
      map[p] = 0;
      uint64_t len = kPage + (p + 1 < pages ? 16 : 0);
      std::memcpy(live + p * kPage, sh + p * kPage, len);
    }
  }
  for (size_t i = 0; i < s.globals.size() && i < s.committed_globals.size(); ++i)
    if (s.globals[i]->type().mut == wi::Mutability::Var) s.globals[i]->UnsafeSet(s.committed_globals[i]);
}

uint64_t Vm::committed_heap_bytes() const { return impl_->shadow.size(); }
const uint8_t* Vm::committed_heap() const { return impl_->shadow.data(); }

bool Vm::load_heap(uint64_t bytes, const std::vector<std::pair<uint64_t, const std::vector<uint8_t>*>>& pages,
                   std::string* error) {
  Impl& s = *impl_;
  if (!s.heap) {
    if (bytes == 0) return true;
    *error = "the image has a heap of " + std::to_string(bytes) + " bytes but the module has no memory";
    return false;
  }
  if (bytes % kWasmPage != 0 || bytes < s.heap->ByteSize()) {
    *error = "the image's heap size " + std::to_string(bytes) + " does not fit the module (initial " +
             std::to_string(s.heap->ByteSize()) + " bytes)";
    return false;
  }
  if (bytes > s.heap->ByteSize() && wabt::Failed(s.heap->Grow((bytes - s.heap->ByteSize()) / kWasmPage))) {
    *error = "the image's heap size " + std::to_string(bytes) + " exceeds the module's memory maximum";
    return false;
  }
  s.grow_map_for_heap();
  uint8_t* live = s.heap->UnsafeData();
  std::memset(live, 0, bytes);
  for (const auto& [index, data] : pages) {
    if (index * kPage >= bytes) continue;
    uint64_t len = std::min<uint64_t>(data->size(), bytes - index * kPage);
    std::memcpy(live + index * kPage, data->data(), len);
  }
  s.shadow.assign(live, live + bytes);
  std::memset(s.map->UnsafeData(), 0, s.map->ByteSize());
  return true;
}

std::string run_uninstrumented(const std::vector<uint8_t>& wasm, const std::string& name, double* seconds) {
  wabt::Errors errors;
  wi::ModuleDesc desc;
  wabt::ReadBinaryOptions ropts(mainnet_features(), nullptr, false, true, false);
  if (wabt::Failed(wi::ReadBinaryInterp("plain.wasm", wasm.data(), wasm.size(), ropts, &errors, &desc)))
    return first_error(errors);
  wi::Store store(mainnet_features());
  wi::Module::Ptr module = wi::Module::New(store, desc);
  if (!module->import_types().empty()) return "the module imports functions";
  wi::Trap::Ptr trap;
  wi::Instance::Ptr inst = wi::Instance::Instantiate(store, module.ref(), {}, &trap);
  if (!inst) return "instantiation failed";
  const auto& exports = module->export_types();
  for (size_t i = 0; i < exports.size(); ++i) {
    if (exports[i].name != name) continue;
    wi::Func::Ptr f = store.UnsafeGet<wi::Func>(inst->exports()[i]);
    wi::Thread thread(store);
    wi::Values params, results;
    auto t0 = std::chrono::steady_clock::now();
    wabt::Result r = f->Call(thread, params, results, &trap);
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (wabt::Failed(r)) return "trap: " + trap->message();
    return {};
  }
  return "no export " + name;
}

std::string wat_to_wasm(const std::string& wat, std::vector<uint8_t>* out, const std::vector<std::string>& extra) {
  wabt::Features f = mainnet_features();
  for (const auto& e : extra) {
    if (e == "threads") f.enable_threads();
    else if (e == "exceptions") f.enable_exceptions();
    else if (e == "tail_call") f.enable_tail_call();
    else if (e == "memory64") f.enable_memory64();
    else if (e == "multi_memory") f.enable_multi_memory();
  }
  wabt::Errors errors;
  auto lexer = wabt::WastLexer::CreateBufferLexer("test.wat", wat.data(), wat.size(), &errors);
  std::unique_ptr<wabt::Module> m;
  wabt::WastParseOptions popts(f);
  if (wabt::Failed(wabt::ParseWatModule(lexer.get(), &m, &errors, &popts)))
    return wabt::FormatErrorsToString(errors, wabt::Location::Type::Text);
  if (wabt::Failed(wabt::ResolveNamesModule(m.get(), &errors)))
    return wabt::FormatErrorsToString(errors, wabt::Location::Type::Text);
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions wopts(f, true, false, false);
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, m.get(), wopts))) return "could not write the binary";
  *out = stream.output_buffer().data;
  return {};
}

}  // namespace replica::exec::vm
