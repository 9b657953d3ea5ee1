// WASI replacements, so that a canister imports nothing but "ic0" (the IC rejects any other import module).
// wasi-libc calls every WASI function through an undefined symbol __imported_wasi_snapshot_preview1_<name>;
// defining that symbol here makes wasm-ld bind the call to our code instead of emitting an import.
// Signatures must match libc.a(__wasilibc_real.o) exactly (wasi-libc 0.0~git20220510, 45 functions):
// a mismatch is only a wasm-ld warning, so the canister link uses --fatal-warnings.
#include <cstdint>

#include "cdk/ic0.h"

namespace {
constexpr int32_t kEbadf = 8, kEnosys = 52, kEspipe = 70;  // WASI errno values
template <class T>
T* at(int32_t addr) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(static_cast<uint32_t>(addr)));
}
}  // namespace

#define WASI(name) __imported_wasi_snapshot_preview1_##name

extern "C" {

// printf / fprintf(stderr) from libc and libc++ land in the replica log: the iovecs of one write become one
// debug_print (stdio flushes per line; the trailing newline is dropped because debug_print adds one).
int32_t WASI(fd_write)(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten) {
  struct Iovec {
    uint32_t buf, len;
  };
  static char line[4096];
  uint32_t used = 0, total = 0;
  for (int32_t i = 0; i < iovs_len; ++i) {
    const Iovec& v = at<Iovec>(iovs)[i];
    for (uint32_t j = 0; j < v.len && used < sizeof line; ++j) line[used++] = at<char>(static_cast<int32_t>(v.buf))[j];
    total += v.len;
  }
  if (used > 0 && line[used - 1] == '\n') --used;
  if (fd == 1 || fd == 2) {
    if (used > 0) ic0::debug_print(line, used);
  } else {
    return kEbadf;
  }
  *at<uint32_t>(nwritten) = total;
  return 0;
}
int32_t WASI(fd_close)(int32_t) { return kEbadf; }
int32_t WASI(fd_seek)(int32_t, int64_t, int32_t, int32_t) { return kEspipe; }
int32_t WASI(fd_fdstat_get)(int32_t, int32_t) { return kEbadf; }
// wasi-libc scans preopened directories (on the first open/fopen) until this returns EBADF; any other errno
// (ENOSYS included) makes it _Exit, which would trap.
int32_t WASI(fd_prestat_get)(int32_t, int32_t) { return kEbadf; }
[[noreturn]] void WASI(proc_exit)(int32_t) {
  static constexpr char m[] = "canister called exit() or abort() through libc (proc_exit)";
  ic0::trap(m, sizeof m - 1);
}
int32_t WASI(environ_sizes_get)(int32_t count, int32_t bytes) {
  *at<uint32_t>(count) = 0;
  *at<uint32_t>(bytes) = 0;
  return 0;
}
int32_t WASI(environ_get)(int32_t, int32_t) { return 0; }
// time(), clock_gettime() and std::chrono clocks all read the IC block time.
int32_t WASI(clock_time_get)(int32_t, int64_t, int32_t out) {
  *at<uint64_t>(out) = ic0::time();
  return 0;
}
// The IC has no synchronous randomness (raw_rand is an inter-canister call): fail rather than invent bytes.
int32_t WASI(random_get)(int32_t, int32_t) { return kEnosys; }

// Debian's libclang_rt.builtins-wasm32.a is compiled with the stack protector; 128-bit division and the
// like pull in references to these.
uintptr_t __stack_chk_guard = 0x2f8a61c3;
[[noreturn]] void __stack_chk_fail() {
  static constexpr char m[] = "stack smashing detected";
  ic0::trap(m, sizeof m - 1);
}

}  // extern "C"

// Every other WASI function: a weak ENOSYS stub, so any libc function links without a WASI import.
// Canister code may override one with a strong definition. Parameter lists from wasm-objdump of
// __wasilibc_real.o (I = i32, L = i64).
#define WASI_NOSYS(name, ...) \
  extern "C" __attribute__((weak)) int32_t WASI(name)(__VA_ARGS__) { return kEnosys; }
#define I int32_t
#define L int64_t
WASI_NOSYS(args_get, I, I)
WASI_NOSYS(args_sizes_get, I, I)
WASI_NOSYS(clock_res_get, I, I)
WASI_NOSYS(fd_advise, I, L, L, I)
WASI_NOSYS(fd_allocate, I, L, L)
WASI_NOSYS(fd_datasync, I)
WASI_NOSYS(fd_fdstat_set_flags, I, I)
WASI_NOSYS(fd_fdstat_set_rights, I, L, L)
WASI_NOSYS(fd_filestat_get, I, I)
WASI_NOSYS(fd_filestat_set_size, I, L)
WASI_NOSYS(fd_filestat_set_times, I, L, L, I)
WASI_NOSYS(fd_pread, I, I, I, L, I)
WASI_NOSYS(fd_prestat_dir_name, I, I, I)
WASI_NOSYS(fd_pwrite, I, I, I, L, I)
WASI_NOSYS(fd_read, I, I, I, I)
WASI_NOSYS(fd_readdir, I, I, I, L, I)
WASI_NOSYS(fd_renumber, I, I)
WASI_NOSYS(fd_sync, I)
WASI_NOSYS(fd_tell, I, I)
WASI_NOSYS(path_create_directory, I, I, I)
WASI_NOSYS(path_filestat_get, I, I, I, I, I)
WASI_NOSYS(path_filestat_set_times, I, I, I, I, L, L, I)
WASI_NOSYS(path_link, I, I, I, I, I, I, I)
WASI_NOSYS(path_open, I, I, I, I, I, L, L, I, I)
WASI_NOSYS(path_readlink, I, I, I, I, I, I)
WASI_NOSYS(path_remove_directory, I, I, I)
WASI_NOSYS(path_rename, I, I, I, I, I, I)
WASI_NOSYS(path_symlink, I, I, I, I, I)
WASI_NOSYS(path_unlink_file, I, I, I)
WASI_NOSYS(poll_oneoff, I, I, I, I)
WASI_NOSYS(sched_yield)
WASI_NOSYS(sock_accept, I, I, I)
WASI_NOSYS(sock_recv, I, I, I, I, I, I)
WASI_NOSYS(sock_send, I, I, I, I, I)
WASI_NOSYS(sock_shutdown, I, I)
#undef I
#undef L
