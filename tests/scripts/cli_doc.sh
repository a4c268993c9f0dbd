#!/bin/sh
# docs/cli.md must equal what the binary's --help texts say (regenerate with scripts/gen-cli-doc).
# Args: reghunt-binary source-dir build-dir
bin=$1; src=$2
if sh "$src/scripts/gen-cli-doc" "$bin" | cmp -s - "$src/docs/cli.md"; then
    echo "cli_doc: 1 passed, 0 failed"
else
    sh "$src/scripts/gen-cli-doc" "$bin" | diff "$src/docs/cli.md" - | head -20
    echo "cli_doc: docs/cli.md is stale: run scripts/gen-cli-doc build/reghunt > docs/cli.md"
    echo "cli_doc: 0 passed, 1 failed"
    exit 1
fi
