# Fails when any C source or header differs from what clang-format would write.
file(GLOB_RECURSE files ${ROOT}/src/*.c ${ROOT}/src/*.h ${ROOT}/tests/*.c ${ROOT}/tests/*.h
     ${ROOT}/bench/*.c ${ROOT}/fuzz/*.c)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format disagrees (run `make format`):\n${out}")
endif()
