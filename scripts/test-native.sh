#!/usr/bin/env bash
# Every native check: the library and tests built with gcc (-Werror) and run by ctest; built again
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer, with the libFuzzer targets run a few
# seconds each; then the scenarios and the loopback tests under valgrind (no error, no leak).
# Installs nothing: scripts/setup.sh does. Build trees: build-native, build-native-clang.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in cmake ctest gcc g++ clang clang++ valgrind; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-native.sh: missing ${missing[*]} (scripts/setup.sh installs them)" >&2
  exit 1
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }' |
     clang -x c - -fsanitize=fuzzer -o /dev/null 2>/dev/null; then
  echo "test-native.sh: clang cannot link -fsanitize=fuzzer (libclang-rt-*-dev missing?)" >&2
  exit 1
fi

jobs=$(nproc 2>/dev/null || echo 2)
status=0

# Runs ctest in $1 with the other arguments; prints its summary, and every failed test's output.
run_ctest() {
  local dir=$1 log
  shift
  log=$(mktemp)
  if ctest --test-dir "$dir" -j"$jobs" "$@" >"$log" 2>&1; then
    grep -E "tests passed|Total Test time" "$log" || true
  else
    status=1
    sed -n '/tests passed/,$p' "$log"
    ctest --test-dir "$dir" --rerun-failed --output-on-failure 2>&1 | tail -n 80 || true
  fi
  rm -f "$log"
}

echo "== gcc: build-native (-Werror, valgrind tests configured)"
cmake -S . -B build-native -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEMRTC_SANITIZE=OFF -DEMRTC_VALGRIND=ON >/dev/null
cmake --build build-native -j"$jobs" >/dev/null
run_ctest build-native -LE valgrind

echo "== clang: build-native-clang (ASan + UBSan, libFuzzer)"
cmake -S . -B build-native-clang -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DEMRTC_SANITIZE=ON -DEMRTC_VALGRIND=OFF -DEMRTC_FUZZ=ON >/dev/null
cmake --build build-native-clang -j"$jobs" >/dev/null
run_ctest build-native-clang

echo "== valgrind: scenarios and loopback tests (gcc build)"
run_ctest build-native -L valgrind

exit $status
