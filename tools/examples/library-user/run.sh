#!/usr/bin/env bash
# Installs SoundFlow's library modules into the local Maven repository, builds this separate project against
# them and streams a model folder's clip with the README's code; fails unless the stream ends normally
# with every chunk decided and no sample dropped. Usage: run.sh MODEL_DIR WAV CHUNKS (the JDK 25 the launcher finds).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
MODEL="$1"; WAV="$2"; CHUNKS="$3"
JAVA_HOME="$("$ROOT/soundflow" java-home)"; export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
mvn -q -B -f "$ROOT/pom.xml" -DskipTests install -pl kernels,weights,tokenizer,engine,engine/bom -am
mvn -q -B -f "$HERE/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$HERE/target/classpath.txt"
OUT="$("$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$HERE/target/classes:$(cat "$HERE/target/classpath.txt")" example.StreamAFile "$MODEL" "$WAV" 2>/dev/null)"
echo "$OUT"
grep -q "^end: end_of_audio$" <<<"$OUT" || { echo "library-user: the stream did not end normally" >&2; exit 1; }
grep -q "chunksDecided=$CHUNKS," <<<"$OUT" || { echo "library-user: expected $CHUNKS chunks decided" >&2; exit 1; }
grep -q "droppedSamples=0," <<<"$OUT" || { echo "library-user: samples were dropped" >&2; exit 1; }
echo "library-user: OK (a separate Maven project streamed $WAV through the installed SoundFlow)"
