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
check() { # $1: how it ran, $2: what it printed
  echo "$2"
  grep -q "^end: end_of_audio$" <<<"$2" || { echo "library-user ($1): the stream did not end normally" >&2; exit 1; }
  grep -q "chunksDecided=$CHUNKS," <<<"$2" || { echo "library-user ($1): expected $CHUNKS chunks decided" >&2; exit 1; }
  grep -q "droppedSamples=0," <<<"$2" || { echo "library-user ($1): samples were dropped" >&2; exit 1; }
}
# on the module path, as a named module that reads only what io.soundflow.engine exports (the vector backend
# is found as a service of io.soundflow.kernels)
check "module path" "$("$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=io.soundflow.kernels \
  --module-path "$HERE/target/classes:$(cat "$HERE/target/classpath.txt")" -m example/example.StreamAFile "$MODEL" "$WAV" 2>/dev/null)"
# on the class path, as most applications run
check "class path" "$("$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$HERE/target/classes:$(cat "$HERE/target/classpath.txt")" example.StreamAFile "$MODEL" "$WAV" 2>/dev/null)"
echo "library-user: OK (a separate Maven project streamed $WAV through the installed SoundFlow, on the module path and on the class path)"
