#!/usr/bin/env bash
# The opencl backend on a machine with a GPU: the conformance suite and the benchmarks, in one script.
#
#   bench/gpu-kit.sh prepare [KIT]   on the build machine (JDK 25 + Maven): builds soundflow.jar, the
#                                    conformance test classpath and a jlink Java runtime (with
#                                    jdk.incubator.vector) into KIT (default bench/target/gpu-kit), plus
#                                    this machine's OpenCL loader in case the GPU machine lacks one
#   bench/gpu-kit.sh run [KIT]       on the GPU machine (no JDK or Maven needed): conformance suite, then
#                                    bench forward and bench stream with --kernels opencl; the figures go
#                                    to KIT/results/ (and stdout)
#
# Settings (environment): DEVICE=N picks the OpenCL device (default: the first GPU); QUICK=1 runs the
# benchmarks at 2 layers and 1 format (a smoke run, e.g. on PoCL); SHARED=DIR (a shared/ checkout with
# golden/ai-tiny) also checks the released-loop trace on the device; JAVA=PATH uses that java instead of
# the kit's runtime; NO_JRE=1 (prepare) leaves the runtime out (the kit is then about 30 MB instead of
# about 95 MB) for a GPU machine that has a JDK 25 (run it with JAVA=.../bin/java).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"
KIT="${2:-$ROOT/bench/target/gpu-kit}"

prepare() {
  export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  export PATH="$JAVA_HOME/bin:$PATH"
  rm -rf "$KIT" && mkdir -p "$KIT/lib" "$KIT/native"
  echo "gpu-kit: building soundflow.jar and the opencl test classes..." >&2
  (cd "$ROOT" && mvn -q -o -B -DskipTests package -pl tools -am)
  (cd "$ROOT" && mvn -q -o -B -DskipTests package -pl kernels/opencl -am \
      org.apache.maven.plugins:maven-dependency-plugin:2.8:copy-dependencies \
      -DincludeScope=test -DoutputDirectory="$KIT/lib")
  cp "$ROOT/tools/target/soundflow.jar" "$KIT/"
  cp "$ROOT"/kernels/opencl/target/soundflow-kernels-opencl-*.jar "$KIT/lib/"
  cp -r "$ROOT/kernels/opencl/target/test-classes" "$KIT/test-classes"
  if [[ "${NO_JRE:-}" != 1 ]]; then
  echo "gpu-kit: linking a Java runtime..." >&2
  jlink --add-modules java.base,java.logging,java.management,java.naming,java.xml,java.desktop,java.sql,jdk.unsupported,jdk.incubator.vector,jdk.management \
      --strip-debug --no-header-files --no-man-pages --compress zip-6 --output "$KIT/jre"
  fi
  for lib in /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 /usr/lib64/libOpenCL.so.1; do
    if [[ -e "$lib" ]]; then cp -L "$lib" "$KIT/native/libOpenCL.so.1"; break; fi
  done
  cp "$ROOT/bench/gpu-kit.sh" "$KIT/"
  du -sh "$KIT" >&2
  echo "gpu-kit: ready; copy $KIT to the GPU machine and run: ./gpu-kit.sh run ." >&2
}

run() {
  KIT="$(cd "$KIT" && pwd)"
  local java="${JAVA:-$KIT/jre/bin/java}"
  local out="$KIT/results"
  mkdir -p "$out"
  local props=()
  [[ -n "${DEVICE:-}" ]] && props+=("-Dsoundflow.opencl.device=$DEVICE")
  # the OpenCL loader: the system's, else the kit's copy; an NVIDIA driver without its .icd file gets one
  if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL.so.1 '; then
    [[ -e "$KIT/native/libOpenCL.so.1" ]] || { echo "gpu-kit: no libOpenCL.so.1 here or in the kit" >&2; exit 2; }
    props+=("-Dsoundflow.opencl.library=$KIT/native/libOpenCL.so.1")
  fi
  if [[ -z "${OCL_ICD_VENDORS:-}" && ! -d /etc/OpenCL/vendors ]] && ldconfig -p 2>/dev/null | grep -q libnvidia-opencl.so.1; then
    mkdir -p "$KIT/vendors" && echo libnvidia-opencl.so.1 > "$KIT/vendors/nvidia.icd"
    export OCL_ICD_VENDORS="$KIT/vendors"
  fi
  local jvm=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED "${props[@]}")
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"

  echo "== conformance (every op, every weight format, against scalar) ==" | tee "$out/conformance.txt"
  local rc=0
  "$java" "${jvm[@]}" -cp "$KIT/test-classes:$KIT/lib/*" io.soundflow.kernels.opencl.ConformanceMain 2>&1 | tee -a "$out/conformance.txt" || rc=$?

  local sf=("$java" "${jvm[@]}" -jar "$KIT/soundflow.jar")
  local quick=()
  [[ "${QUICK:-}" == 1 ]] && quick=(--layers 2)
  if [[ -n "${SHARED:-}" && -d "$SHARED/golden/ai-tiny" ]]; then
    echo "== released-loop trace on the device (ai-tiny, ref-exact, one-by-one) ==" | tee "$out/trace.txt"
    local g="$SHARED/golden/ai-tiny"
    "${sf[@]}" stream --kernels opencl --model "$g/model" --wav "$g/clip-8s.wav" --mode ref-exact --layout one-by-one \
        --trace "$out/trace-ref-exact.json" >> "$out/trace.txt" 2>&1 || rc=1
    local want got
    want=$(grep -o '"decisions" *: *"[^"]*"' "$g/trace-ref-exact.json" | sed 's/ //g')
    got=$(grep -o '"decisions" *: *"[^"]*"' "$out/trace-ref-exact.json" | sed 's/ //g')
    if [[ -n "$want" && "$want" == "$got" ]]; then echo "trace: decisions identical ($got)" | tee -a "$out/trace.txt";
    else echo "trace: decisions differ: want $want got $got" | tee -a "$out/trace.txt"; rc=1; fi
  fi
  echo "== bench forward --kernels opencl ==" >&2
  local formats=(--formats bf16,q8_0,q4_0)
  [[ "${QUICK:-}" == 1 ]] && formats=(--formats q8_0 --no-encoder)
  "${sf[@]}" bench forward --kernels opencl --json "${formats[@]}" "${quick[@]}" > "$out/bench-forward.json" || rc=1
  cat "$out/bench-forward.json"
  echo "== bench stream --kernels opencl ==" >&2
  local sq=()
  [[ "${QUICK:-}" == 1 ]] && sq=(--layers 2 --seconds 4)
  "${sf[@]}" bench stream --kernels opencl --json "${sq[@]}" > "$out/bench-stream.json" || rc=1
  cat "$out/bench-stream.json"
  echo "gpu-kit: results in $out (exit $rc)" >&2
  exit "$rc"
}

case "$cmd" in
  prepare) prepare ;;
  run) run ;;
  *) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
