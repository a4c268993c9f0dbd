# CMake toolchain: cross-build for 64-bit Windows with Debian's mingw-w64 (posix thread model,
# for winpthreads). Used by scripts/build-windows for reghunt and for the dependencies it
# builds from Debian's source packages; RH_WIN_DEPS is the prefix they are installed into.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(RH_MINGW x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${RH_MINGW}-gcc-posix)
set(CMAKE_CXX_COMPILER ${RH_MINGW}-g++-posix)
set(CMAKE_RC_COMPILER ${RH_MINGW}-windres)
set(CMAKE_AR ${RH_MINGW}-gcc-ar-posix CACHE FILEPATH "")
set(CMAKE_RANLIB ${RH_MINGW}-gcc-ranlib-posix CACHE FILEPATH "")

if(NOT RH_WIN_DEPS AND DEFINED ENV{RH_WIN_DEPS})
  set(RH_WIN_DEPS $ENV{RH_WIN_DEPS})
endif()
set(CMAKE_FIND_ROOT_PATH /usr/${RH_MINGW} ${RH_WIN_DEPS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# printf with C99 formats (%zu, %lld) instead of msvcrt's; static dependencies (their
# headers otherwise declare dllimport); one self-contained .exe (libgcc, winpthreads).
set(CMAKE_C_FLAGS_INIT "-D_WIN32_WINNT=0x0601 -D__USE_MINGW_ANSI_STDIO=1")
string(APPEND CMAKE_C_FLAGS_INIT " -DRH_PRINTF_ARCHETYPE=gnu_printf")
string(APPEND CMAKE_C_FLAGS_INIT " -DYAML_DECLARE_STATIC -DPCRE2_STATIC -DLIBARCHIVE_STATIC")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)

# pkg-config sees only the cross-built dependencies, with their static link lines.
if(RH_WIN_DEPS)
  set(ENV{PKG_CONFIG_LIBDIR} ${RH_WIN_DEPS}/lib/pkgconfig)
  set(ENV{PKG_CONFIG_PATH} "")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
endif()
set(PKG_CONFIG_ARGN --static)
