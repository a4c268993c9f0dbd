function(rh_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wstrict-prototypes
                                           -Wformat=2 -Wvla -Wno-unused-parameter)
  if(RH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
