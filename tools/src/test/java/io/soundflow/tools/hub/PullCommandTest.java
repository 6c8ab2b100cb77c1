package io.soundflow.tools.hub;

import io.soundflow.testing.SharedData;
import io.soundflow.tools.CliRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code soundflow pull} through the real command line against {@link FakeHub}; output captured. */
class PullCommandTest {
    static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    Path cache;

    FakeHub hub;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        byte[] weights = new byte[2_000_000];
        new Random(3).nextBytes(weights);
        hub.repo("org/model", COMMIT)
                .file("config.json", "{}".getBytes(), false)
                .file("model.safetensors", weights, true);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    CliRun pull(String... more) {
        String[] args = Stream.concat(Stream.of("pull", "--endpoint", hub.endpoint().toString(), "--cache", cache.toString()),
                Stream.of(more)).toArray(String[]::new);
        return CliRun.run(args);
    }

    @Test
    void printsTheSnapshotFolderOnStdoutAndOneSummaryLineOnStderr() {
        CliRun r = pull("org/model");
        Path snap = cache.resolve("models--org--model/snapshots/" + COMMIT);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(snap + System.lineSeparator());
        assertThat(r.err()).isEqualTo("org/model @ main (commit 89abcdef0123): 2 files, 2.00 MB; downloaded 2 (2.00 MB),"
                + " 0 already in the cache" + System.lineSeparator()); // not a terminal: no per-file lines

        CliRun again = pull("org/model", "--revision", "main");
        assertThat(again.code()).isZero();
        assertThat(again.out()).isEqualTo(r.out());
        assertThat(again.err()).contains("downloaded 0 (0 B), 2 already in the cache");

        CliRun offline = pull("org/model", "--offline");
        assertThat(offline.code()).isZero();
        assertThat(offline.out()).isEqualTo(r.out());
        assertThat(offline.err()).contains("from the cache (offline)");
    }

    @Test
    void errorsAreOneLineNamingTheInput() {
        CliRun bad = pull("gpt2");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("soundflow pull: 'gpt2' is not a model id: expected ORG/NAME").hasLineCount(1);
        assertThat(bad.out()).isEmpty();

        CliRun miss = pull("org/model", "--offline");
        assertThat(miss.code()).isEqualTo(1);
        assertThat(miss.err()).startsWith("soundflow pull: org/model at revision 'main' is not in the cache").hasLineCount(1);

        hub.repos.get("org/model").requiresToken = true;
        CliRun denied = pull("org/model");
        assertThat(denied.code()).isEqualTo(1);
        assertThat(denied.err()).startsWith("soundflow pull: org/model: the hub").contains("(HTTP 401)")
                .contains("HF_TOKEN").hasLineCount(1);

        CliRun unknown = pull("org/none");
        assertThat(unknown.err()).startsWith("soundflow pull: org/none: repository not found").hasLineCount(1);
    }

    @Test
    void helpNamesTheOptionsAndTheEnvironment() {
        CliRun r = CliRun.run("pull", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: soundflow pull").contains("--revision=R").contains("--cache=DIR")
                .contains("--offline").contains("HF_TOKEN").contains("HF_HUB_OFFLINE=1").contains("(default: main)");
    }

    @Test
    void aPulledCheckpointLoadsAsModelDir() throws IOException {
        Path golden = SharedData.require("golden/omni-tiny/model");
        FakeHub.Repo repo = hub.repo("Qwen/omni-tiny", COMMIT);
        try (Stream<Path> files = Files.list(golden)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                repo.file(name, Files.readAllBytes(f), name.endsWith(".safetensors"));
            }
        }
        CliRun r = pull("Qwen/omni-tiny");
        assertThat(r.code()).as(r.err()).isZero();
        Path snap = Path.of(r.out().strip());
        assertThat(Files.isSymbolicLink(snap.resolve("model.safetensors"))).isTrue();

        CliRun inspect = CliRun.run("inspect", snap.toString());
        assertThat(inspect.code()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("layout: Qwen2.5-Omni").contains("model.safetensors: 72 tensors");
    }
}
