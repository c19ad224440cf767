# Warnings for every picortc target (applied through picortc_target_defaults).
set(PICORTC_WARNING_FLAGS
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wformat=2 -Wimplicit-fallthrough -Wno-missing-field-initializers)
if(PICORTC_WERROR)
  list(APPEND PICORTC_WARNING_FLAGS -Werror)
endif()

function(picortc_target_defaults target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${PICORTC_WARNING_FLAGS}>
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra>)
endfunction()
