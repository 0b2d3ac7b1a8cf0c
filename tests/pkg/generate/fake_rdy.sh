#!/bin/sh
# A stand-in for `rdy gen c`, for gen_check.sh: it logs its arguments to
# $FAKE_RDY_LOG and writes the two files a real run writes, so that the CMake
# functions are tested without the generator.  It does not create the output
# directory: the custom command must.
printf '%s\n' "$*" >>"$FAKE_RDY_LOG"
if [ "$1 $2" != "gen c" ]; then
	echo "fake rdy: not gen c: $*" >&2
	exit 2
fi
shift 2
dir=''
name=''
while [ $# -gt 0 ]; do
	case $1 in
	-o) dir=$2; shift ;;
	--name) name=$2; shift ;;
	esac
	shift
done
if [ -z "$dir" ] || [ -z "$name" ] || [ ! -d "$dir" ]; then
	echo "fake rdy: -o DIR (existing) and --name BASE are required" >&2
	exit 2
fi
printf '/* fake %s */\nint fake_%s(void);\n' "$name" "$name" >"$dir/$name.h"
printf '#include "%s.h"\nint fake_%s(void)\n{\n\treturn 0;\n}\n' "$name" "$name" >"$dir/$name.c"
