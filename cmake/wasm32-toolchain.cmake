# CMake toolchain file for the canisters: clang-19 --target=wasm32-wasi with Debian's wasi-libc and libc++ 19.
# Flags follow shared/reference/toolchain.md; the feature set is pinned so mainnet accepts every module.
# CMake 3.25 has no WASI platform module; Generic means "no host OS assumptions".
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)

set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
# The driver calls wasm-ld-19 itself; binutils' ar (deterministic on Debian) is fine for wasm objects.
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
# The compiler check links a program with main(); a library check does not need the canister link flags.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# The sysroot is found by the driver (/usr/lib/wasm32-wasi, /usr/include/wasm32-wasi); never search the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# Flags are set as plain variables (not *_INIT): the toolchain file is re-read on every configure, so an
# edit here reaches existing build directories too. C++20 is set by src/wasm/CMakeLists.txt.
# Features: MVP plus mutable-globals and sign-ext only (clang-19 would otherwise label reference-types and
# multivalue). No exceptions: Debian's wasm32 libc++abi has no __cxa_throw, and the IC rejects the
# exception-handling proposal.
set(_hubctl_wasm_flags "-mcpu=mvp -mmutable-globals -msign-ext -fno-exceptions -fno-rtti")
# Reproducible output (operators compare module hashes with a local build): no absolute source or build
# path may reach a module, e.g. through __FILE__ in an assert message.
get_filename_component(_hubctl_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
string(APPEND _hubctl_wasm_flags " -ffile-prefix-map=${_hubctl_root}/= -ffile-prefix-map=${CMAKE_BINARY_DIR}/=build/")
set(CMAKE_C_FLAGS "${_hubctl_wasm_flags}")
set(CMAKE_CXX_FLAGS "${_hubctl_wasm_flags}")
# -Oz: the hub installs user_profile in one message and the size goal is 200 KiB (BENCHMARKS.md: at -O2 the
# suite is about twice as large).
set(HUBCTL_WASM_OPT_LEVEL -Oz CACHE STRING "Optimization level of clang and wasm-opt for the canisters (-O2, -Oz)")
set(CMAKE_C_FLAGS_RELEASE "${HUBCTL_WASM_OPT_LEVEL} -DNDEBUG")
set(CMAKE_CXX_FLAGS_RELEASE "${HUBCTL_WASM_OPT_LEVEL} -DNDEBUG")
# Canister link: no _start/main (-nostartfiles, --no-entry); Debian's libc/libc++ carry DWARF, so strip it;
# the shadow stack goes first so an overflow traps (wraps below 0) instead of overwriting static data.
# Debian's libc++/libc++abi objects are labelled +reference-types +multivalue (clang-19's default CPU) and
# wasm-ld would copy those labels into the module's target_features section: state the pinned set instead.
# The instructions themselves are checked by wasm-validate with every other feature disabled (tests/wasm).
# clang runs wasm-opt after an optimizing link whenever one is on PATH, so the output would depend on PATH.
# A trailing -O0 on the link line stops that (clang-19's --no-wasm-opt drops the link step altogether), and
# src/wasm runs binaryen's wasm-opt explicitly with HUBCTL_WASM_OPT_FLAGS (it shrinks the modules by about
# a fifth and drops the name section).
set(CMAKE_EXE_LINKER_FLAGS
    "-O0 -nostartfiles -Wl,--no-entry -Wl,--strip-debug -Wl,--stack-first -Wl,-z,stack-size=1048576 \
-Wl,--no-check-features -Xlinker --features=mutable-globals,sign-ext")
set(HUBCTL_WASM_OPT_FLAGS ${HUBCTL_WASM_OPT_LEVEL} --mvp-features --enable-mutable-globals --enable-sign-ext)
