#!/bin/sh
# Shrink a layer's python/ tree: what Lambda never runs goes, shared objects are stripped.
#   sh layers/slim.sh <python dir> [core|nlp]
# Every removal below was checked against what the process path imports (scripts/layer_smoke.py runs
# the built layers under python3.12: import, model load, NER, both HTML paths, the API handler).
set -eu
dir="$1"
profile="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$dir"

# ------------------------------------------------------------------------------------ everywhere
find . -type d -name __pycache__ -prune -exec rm -rf {} +
find . -type d \( -name tests -o -name testing \) -prune -exec rm -rf {} +
find . -type f \( -name "*.pyx" -o -name "*.pxd" -o -name "*.pxi" -o -name "*.pyi" -o -name "*.cpp" -o -name "*.c" \
  -o -name "*.h" -o -name "*.hh" -o -name "*.a" -o -name "py.typed" \) -delete
find . -maxdepth 1 -type d -name "*-stubs" -exec rm -rf {} +
rm -rf bin
# dist-info: importlib.metadata needs METADATA (spaCy reads the model package's version from it) and
# entry_points.txt (spaCy's and catalogue's registries); RECORD, WHEEL, licences etc. are for pip.
for info in *.dist-info; do
  [ -d "$info" ] || continue
  find "$info" -mindepth 1 -maxdepth 1 ! -name METADATA ! -name entry_points.txt ! -name top_level.txt \
    -exec rm -rf {} +
done

# ------------------------------------------------------------------------------------ CoreLayer
if [ "$profile" = core ]; then
  # babel (pulled in by courlan, via trafilatura) ships CLDR data for ~1,150 locales (35 MB). courlan
  # only calls Locale.parse() in its URL language filter, and an absent locale is an UnknownLocaleError
  # that courlan catches; the service extracts English articles: keep root + English.
  if [ -d babel/locale-data ]; then
    find babel/locale-data -type f ! -name root.dat ! -name en.dat -delete
  fi
  rm -rf babel/messages  # gettext catalogue tooling (pybabel), never imported at runtime
  # lxml: trafilatura uses etree + html; objectify, isoschematron and the C headers are unused.
  rm -rf lxml/objectify.cpython-* lxml/isoschematron lxml/includes lxml/html/diff.* lxml/html/_difflib.* \
    lxml/html/_diffcommand.py
  # wcwidth (ftfy's display-width helpers, which the service never calls): the optional C extension
  # (wcwidth falls back to its Python implementation) and the per-terminal override tables.
  rm -f wcwidth/_wcwidth_c.* wcwidth/table_grapheme_overrides/_known_*.py
fi

# ------------------------------------------------------------------------------------- NlpLayer
if [ "$profile" = nlp ]; then
  # Already in the CoreLayer (same pinned versions), and never imported by spaCy at runtime.
  rm -rf certifi certifi-*.dist-info urllib3 urllib3-*.dist-info wrapt wrapt-*.dist-info
  rm -rf setuptools setuptools-*.dist-info pkg_resources _distutils_hack distutils-precedence.pth
  # markdown (rich.markdown), cloud paths and smart_open (weasel's remote storage) are never imported.
  rm -rf markdown_it markdown_it_py-*.dist-info mdurl mdurl-*.dist-info \
    cloudpathlib cloudpathlib-*.dist-info smart_open smart_open-*.dist-info
  # httpx (imported by spacy.cli) loads httpcore, and so anyio and h11, only when it sends a request.
  rm -rf httpcore httpcore-*.dist-info anyio anyio-*.dist-info h11 h11-*.dist-info
  # pygments is imported by rich (via typer via spacy.cli), but lexers load lazily through _mapping.
  if [ -d pygments/lexers ]; then
    find pygments/lexers -type f ! -name __init__.py ! -name _mapping.py ! -name python.py \
      ! -name special.py -delete
    find pygments/formatters pygments/styles -type f ! -name __init__.py ! -name _mapping.py \
      ! -name terminal*.py ! -name default.py -delete
  fi
  # blis: py.so (17.7 MB) statically links a second copy of BLIS beside cy.so; thinc calls only
  # blis.py.gemm, which blis_py.py computes with numpy.matmul (numpy's OpenBLAS): identical entities
  # on the 350 dev documents, and faster (see docs/performance.md).
  if [ -f blis/py.cpython-312-x86_64-linux-gnu.so ]; then
    rm -f blis/py.cpython-312-x86_64-linux-gnu.so blis/benchmark.py
    cp "$here/nlp/blis_py.py" blis/py.py
  fi
  # rapidfuzz: newsproc calls only fuzz.ratio. Keep its AVX2 build (every Lambda x86_64 host has AVX2);
  # for everything else rapidfuzz falls back by itself to its pure-Python modules.
  rm -rf rapidfuzz/fuzz_cpp.cpython-* rapidfuzz/distance/metrics_cpp.cpython-* \
    rapidfuzz/distance/metrics_cpp_avx2.cpython-* rapidfuzz/process_cpp_impl.cpython-* \
    rapidfuzz/utils_cpp.cpython-* rapidfuzz/__pyinstaller
  # numpy: the compiler (f2py), docs, PyInstaller hooks and the test-only extension modules.
  # fft, polynomial and ma are loaded lazily by numpy and used by nothing in the layer.
  rm -rf numpy/fft numpy/polynomial numpy/ma numpy/f2py numpy/doc numpy/_pyinstaller numpy/conftest.py numpy/_core/lib \
    numpy/_core/_simd.cpython-* numpy/_core/_multiarray_tests.cpython-* numpy/_core/_rational_tests.cpython-* \
    numpy/_core/_umath_tests.cpython-* numpy/_core/_operand_flag_tests.cpython-* \
    numpy/_core/_struct_ufunc_tests.cpython-*
  # en_core_web_sm: load_nlp() excludes tok2vec, tagger, parser, attribute_ruler, lemmatizer and senter
  # (entities are identical without them, tests/integration/test_entities_model.py), so their
  # weights are never read. The layer can then only load the model with that exclude list.
  for model in en_core_web_sm*/en_core_web_sm*-*; do
    [ -f "$model/config.cfg" ] || continue
    rm -rf "$model/tok2vec" "$model/tagger" "$model/parser" "$model/attribute_ruler" "$model/lemmatizer" "$model/senter"
  done
  # spaCy ships ~70 languages; the service only runs English. spacy/registrations.py imports the
  # tokenizer factories of ja, ko, th, vi and zh when the registry is first filled: keep those too.
  if [ -d spacy/lang ]; then
    find spacy/lang -mindepth 1 -maxdepth 1 -type d ! -name en ! -name xx ! -name ja ! -name ko ! -name th \
      ! -name vi ! -name zh -exec rm -rf {} +
  fi
fi

# Stripping debug symbols saves most of the size; never under *.libs/ (that breaks numpy's OpenBLAS).
if command -v strip >/dev/null 2>&1; then
  find . -name "*.so*" -type f -not -path "*.libs/*" -exec strip --strip-unneeded {} + 2>/dev/null || true
fi

# ------------------------------------------------------------------------------------ bytecode
# /opt is read-only on Lambda, so without shipped bytecode every cold start compiles every module it
# imports: the process path's imports and model load took 2.4 s instead of 0.9 s (python3.12, these
# layers). Third-party code ships as sourceless .pyc, which take the place of the sources and keep the
# layers under 130 MB (its tracebacks show file and line, not the code). newsproc keeps its sources,
# with unchecked-hash .pyc: zip timestamps are too coarse for the usual mtime check.
py="${PY312:?set PY312 to the python3.12 that matches the Lambda runtime}"
"$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' || {
  echo "slim.sh: $py is not python3.12; bytecode must match the Lambda runtime" >&2; exit 1; }
"$py" -m compileall -q -b -j0 -x '(^|/)newsproc/' . >/dev/null
find . -name "*.py" -type f ! -path "./newsproc/*" -delete
if [ -d newsproc ]; then
  "$py" -m compileall -q -j0 --invalidation-mode unchecked-hash newsproc >/dev/null
fi
