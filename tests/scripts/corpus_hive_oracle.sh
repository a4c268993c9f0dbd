#!/bin/sh
# Corpus tier: compare our hive export with python3-hivex on every sample hive.
# Args: reghunt-binary source-dir build-dir. Exit 77 (skipped) without ../shared/data.
bin=$1; src=$2
data=${RH_SHARED_DATA:-$src/../shared/data}
if [ ! -d "$data/hives" ]; then
    echo "corpus_hive_oracle: SKIPPED: $data not found (the corpus tier needs ../shared/data)"
    exit 77
fi
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
exec "$PY" "$src/tests/scripts/hive_oracle.py" "$bin" "$data"
