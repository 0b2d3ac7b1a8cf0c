# Writes the bytes of the file IN to OUT as the body of a C array
# initializer, twelve bytes to a line.  Run with cmake -DIN=... -DOUT=... -P.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REPEAT "0x..," 12 line)       # CMake regexes have no {n}
string(REGEX REPLACE "(${line})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "${bytes}\n")
