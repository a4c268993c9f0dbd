if(RH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# Coverage instrumentation for the whole library when building fuzz targets (clang only).
if(RH_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
