#!/usr/bin/env bash
# usage: tests/fuzz/mkseeds_desc.sh RDY
# Regenerates tests/fuzz/seeds/desc/, the descriptor fuzzer's seeds, with
# `RDY abi encode` from the example and from worlds of the shared corpus:
# small and large, host and plugin side, resources, maps, feature gates.
set -euo pipefail
rdy=${1:?usage: mkseeds_desc.sh RDY}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
corpus=$root/../shared/corpus
out=$root/tests/fuzz/seeds/desc
[ -d "$corpus" ] || { echo "mkseeds_desc: no shared corpus at $corpus" >&2; exit 1; }
mkdir -p "$out"

# seed NAME PATH WORLD SIDE [FEATURES]
seed() {
	"$rdy" abi encode "$2" --world "$3" --side "$4" ${5:+--features "$5"} -o "$out/$1.rdyd"
}

seed shapes-plugin "$root/examples/shapes/wit" plugin plugin
seed shapes-host "$root/examples/shapes/wit" plugin host
seed wasi-io-imports "$corpus/wasi-0.2/io" imports plugin
seed wasi-clocks-imports "$corpus/wasi-0.2/clocks" imports host
seed wasi-random-imports "$corpus/wasi-0.2/random" imports plugin
seed wasi-http-proxy "$corpus/wasi-0.2/http" proxy plugin
seed wasi-cli-command "$corpus/wasi-0.2/cli" command plugin
seed ui-top-level-resources "$corpus/wit-ui/world-top-level-resources.wit" proxy plugin
seed ui-worlds-with-types "$corpus/wit-ui/worlds-with-types.wit" the-test host
seed ui-resources "$corpus/wit-ui/resources.wit" w plugin
seed ui-maps "$corpus/wit-ui/maps.wit" maps-world plugin
seed ui-since-and-unstable "$corpus/wit-ui/since-and-unstable.wit" in-a-world plugin
seed ui-feature-gates "$corpus/wit-ui/feature-gates.wit" mixed-world host active
ls -l "$out"
