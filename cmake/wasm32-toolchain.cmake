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
set(CMAKE_EXECUTABLE_SUFFIX .wasm)
# The compiler check links a program with main(); a library check does not need the canister link flags.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# The sysroot is found by the driver (/usr/lib/wasm32-wasi, /usr/include/wasm32-wasi); never search the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# Features: MVP plus mutable-globals and sign-ext only (clang-19 would otherwise label reference-types,
# multivalue, bulk-memory...). No exceptions: Debian's wasm32 libc++abi has no __cxa_throw, and the IC
# rejects the exception-handling proposal.
set(_hubctl_wasm_flags "-mcpu=mvp -mmutable-globals -msign-ext -fno-exceptions -fno-rtti")
set(CMAKE_C_FLAGS_INIT "${_hubctl_wasm_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_hubctl_wasm_flags}")
set(CMAKE_C_FLAGS_RELEASE_INIT "-O2 -DNDEBUG")
set(CMAKE_CXX_FLAGS_RELEASE_INIT "-O2 -DNDEBUG")
# Canister link: no _start/main (-nostartfiles, --no-entry); Debian's libc/libc++ carry DWARF, so strip it;
# the shadow stack goes first so an overflow traps (wraps below 0) instead of overwriting static data.
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-fuse-ld=lld -nostartfiles -Wl,--no-entry -Wl,--strip-debug -Wl,--stack-first -Wl,-z,stack-size=1048576")
