#!/usr/bin/env bash
# Regenerates what the tests read, both committed: test/gen (the Ruby code of the test contract
# test/proto; its imports and the repository's contracts are packages/contracts-rb's generated code)
# and test/golden/golden.json (what @bufbuild/protovalidate reports on test/golden/cases.json). Run from anywhere after `npm install` at the repository root and
# `bundle install` here; `rake gen` runs it.
set -euo pipefail
pkg=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$pkg/../.." && pwd)
buf="$root/node_modules/.bin/buf"

# buf/validate/validate.proto as source, printed from @bufbuild/protovalidate's descriptor.
(cd "$root" && node scripts/validate-proto.mjs)

# A buf workspace of the test contract and buf/validate: buf takes no module outside its directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$pkg/test/proto" "$work/proto"
mkdir -p "$work/deps" && cp -R "$root/.tools/protos/buf" "$work/deps/buf"
printf 'version: v2\nmodules:\n  - path: proto\n  - path: deps\n' >"$work/buf.yaml"

rm -rf "$pkg/test/gen"
(cd "$pkg" && "$buf" generate --template test/buf.gen.yaml "$work" --path "$work/proto/validtest")
"$buf" build "$work" -o "$work/validtest.binpb"
(cd "$root" && "$buf" build --path proto/users --path proto/inventory -o "$work/contracts.binpb")

(cd "$root" && node --import tsx "$pkg/test/golden/make-golden.mjs" "$work/validtest.binpb" "$work/contracts.binpb")
