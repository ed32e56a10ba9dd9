# Turn files into a C array of {name, data, len} so the binary carries its
# migrations, OpenAPI description and demo data without reading files at run time.
# Invoked as: cmake -DOUT=file.c -DSYMBOL=name -DFILES="a;b" -P embed.cmake
set(body "#include <stddef.h>\n#include \"util/embed.h\"\n\n")
set(table "")
set(i 0)
foreach(f IN LISTS FILES)
  file(READ "${f}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  get_filename_component(name "${f}" NAME)
  string(APPEND body "static const unsigned char ${SYMBOL}_${i}[] = {${hex} 0x00};\n")
  string(APPEND table "\t{\"${name}\", (const char *)${SYMBOL}_${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "\nconst struct lm_embedded ${SYMBOL}[] = {\n${table}\t{NULL, NULL, 0},\n};\n")
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
