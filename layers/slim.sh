#!/bin/sh
# Shrink a layer's python/ tree: what Lambda never runs goes, shared objects are stripped.
set -eu
dir="$1"
cd "$dir"
find . -type d -name __pycache__ -prune -exec rm -rf {} +
find . -type d \( -name tests -o -name test -o -name testing \) -path "*/site-packages*" -prune -exec rm -rf {} + 2>/dev/null || true
for pkg in spacy thinc srsly blis numpy/tests numpy/_core/tests; do
  [ -d "$pkg/tests" ] && rm -rf "$pkg/tests"
done
find . -type d \( -name tests -o -name testing \) -prune -exec rm -rf {} +
find . -type f \( -name "*.pyx" -o -name "*.pxd" -o -name "*.pyi" -o -name "*.cpp" -o -name "*.c" -o -name "*.h" -o -name "*.hh" \) -delete
# spaCy ships ~70 languages; the service only runs English.
if [ -d spacy/lang ]; then
  find spacy/lang -mindepth 1 -maxdepth 1 -type d ! -name en ! -name xx -exec rm -rf {} +
fi
# Stripping debug symbols saves most of the size; never under *.libs/ (that breaks numpy's OpenBLAS).
if command -v strip >/dev/null 2>&1; then
  find . -name "*.so*" -type f -not -path "*.libs/*" -exec strip --strip-unneeded {} + 2>/dev/null || true
fi
