package io.soundflow.tools.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link HubClient} against {@link FakeHub} on loopback: listing, download, resume, checks, errors, cache. */
class HubClientTest {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final RepoId ID = RepoId.parse("org/model");

    @TempDir
    Path cache;

    FakeHub hub;
    byte[] weights;
    byte[] config;
    byte[] nested;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        weights = new byte[3 * 1024 * 1024 + 123];
        new Random(7).nextBytes(weights);
        config = "{\"model_type\": \"qwen2_5_omni\"}\n".getBytes();
        nested = "{\"audio_config\": {}}\n".getBytes();
        hub.repo("org/model", COMMIT)
                .file("config.json", config, false)
                .file("model.safetensors", weights, true)
                .file("qwen25OmniConfig/config.json", nested, false);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubSettings settings() {
        return new HubSettings(hub.endpoint(), null, null, cache, false);
    }

    HubClient client(HubSettings s) {
        return new HubClient(s, Progress.QUIET, 3, Duration.ZERO, Duration.ofSeconds(5), p -> Long.MAX_VALUE);
    }

    Path repoDir() {
        return cache.resolve("models--org--model");
    }

    @Test
    void downloadsEveryFileIntoTheHuggingFaceCacheLayout() throws IOException {
        Snapshot s = client(settings()).pull(ID, "main");

        Path snap = repoDir().resolve("snapshots").resolve(COMMIT);
        assertThat(s.folder()).isEqualTo(snap);
        assertThat(s.commit()).isEqualTo(COMMIT);
        assertThat(s.files()).isEqualTo(3);
        assertThat(s.downloadedFiles()).isEqualTo(3);
        assertThat(s.totalBytes()).isEqualTo(weights.length + config.length + nested.length);
        assertThat(s.downloadedBytes()).isEqualTo(s.totalBytes());
        assertThat(Files.readAllBytes(snap.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(Files.readAllBytes(snap.resolve("config.json"))).isEqualTo(config);
        assertThat(Files.readAllBytes(snap.resolve("qwen25OmniConfig/config.json"))).isEqualTo(nested);
        // blobs named as huggingface_hub names them, linked relatively from the snapshot
        assertThat(Files.readSymbolicLink(snap.resolve("model.safetensors")).toString())
                .isEqualTo("../../blobs/" + FakeHub.sha256(weights));
        assertThat(Files.readSymbolicLink(snap.resolve("config.json")).toString())
                .isEqualTo("../../blobs/" + FakeHub.gitOid(config));
        assertThat(Files.readSymbolicLink(snap.resolve("qwen25OmniConfig/config.json")).toString())
                .isEqualTo("../../../blobs/" + FakeHub.gitOid(nested));
        assertThat(Files.readString(repoDir().resolve("refs/main"))).isEqualTo(COMMIT);
        try (Stream<Path> blobs = Files.list(repoDir().resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    FakeHub.sha256(weights), FakeHub.gitOid(config), FakeHub.gitOid(nested));
        }
        // downloads go to the resolve URL at the listed commit; the LFS one is redirected to the CDN
        assertThat(hub.downloads()).extracting(FakeHub.Req::path).contains(
                "/org/model/resolve/" + COMMIT + "/config.json",
                "/org/model/resolve/" + COMMIT + "/model.safetensors",
                "/org/model/resolve/" + COMMIT + "/qwen25OmniConfig/config.json",
                "/blobs/" + FakeHub.sha256(weights));
    }

    @Test
    void aRenamedRepositorysRedirectsAreFollowed() throws IOException {
        hub.renamed.put("org/old-name", "org/model");
        Snapshot s = client(settings()).pull(RepoId.parse("org/old-name"), "main");
        assertThat(s.folder()).isEqualTo(cache.resolve("models--org--old-name/snapshots/" + COMMIT));
        assertThat(Files.readAllBytes(s.folder().resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requests).extracting(FakeHub.Req::path).contains("/api/models/org/old-name/revision/main",
                "/api/models/org/model/revision/main");
    }

    @Test
    void theTokenGoesToTheHubButNotToTheCdn() {
        client(settings().withToken("hf_secret", "HF_TOKEN")).pull(ID, "main");
        List<FakeHub.Req> reqs = List.copyOf(hub.requests);
        assertThat(reqs).filteredOn(r -> r.server().equals("hub"))
                .isNotEmpty().allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secret"));
        assertThat(reqs).filteredOn(r -> r.server().equals("cdn"))
                .hasSize(1).allSatisfy(r -> assertThat(r.authorization()).isNull());
    }

    @Test
    void resumesWithARangeAfterTheConnectionIsCutMidFile() throws IOException {
        hub.cutFile = "model.safetensors";
        hub.cutAfter = 1_000_000;
        Snapshot s = client(settings()).pull(ID, "main");

        assertThat(Files.readAllBytes(s.folder().resolve("model.safetensors"))).isEqualTo(weights);
        List<FakeHub.Req> cdn = hub.downloads().stream().filter(r -> r.server().equals("cdn")).toList();
        assertThat(cdn).hasSize(2);
        assertThat(cdn.get(0).range()).isNull();
        assertThat(cdn.get(1).range()).isEqualTo("bytes=1000000-");
        assertThat(s.downloadedBytes()).isEqualTo(s.totalBytes()); // every byte once
        assertThat(repoDir().resolve("blobs/" + FakeHub.sha256(weights) + ".incomplete")).doesNotExist();
    }

    @Test
    void resumesThePartialFileAnEarlierRunLeft() throws IOException {
        Path part = repoDir().resolve("blobs/" + FakeHub.sha256(weights) + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(weights, 777_777));

        Snapshot s = client(settings()).pull(ID, "main");

        assertThat(Files.readAllBytes(s.folder().resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.downloads()).filteredOn(r -> r.server().equals("cdn"))
                .extracting(FakeHub.Req::range).containsExactly("bytes=777777-");
        assertThat(s.downloadedBytes()).isEqualTo(s.totalBytes() - 777_777);
    }

    @Test
    void startsOverWhenTheServerIgnoresTheRange() throws IOException {
        Path part = repoDir().resolve("blobs/" + FakeHub.sha256(weights) + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(weights, 5000));
        hub.ignoreRanges = true;

        Snapshot s = client(settings()).pull(ID, "main");

        assertThat(Files.readAllBytes(s.folder().resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void refusesAFileWhoseSha256DoesNotMatchAndRemovesIt() {
        hub.damaged.add("model.safetensors");
        assertThatThrownBy(() -> client(settings()).pull(ID, "main"))
                .isInstanceOf(HubException.class)
                .hasMessageContaining("org/model: model.safetensors: SHA-256 mismatch (expected " + FakeHub.sha256(weights))
                .hasMessageContaining("the download was removed, run pull again");
        assertThat(repoDir().resolve("blobs/" + FakeHub.sha256(weights))).doesNotExist();
        assertThat(repoDir().resolve("blobs/" + FakeHub.sha256(weights) + ".incomplete")).doesNotExist();
        assertThat(repoDir().resolve("snapshots/" + COMMIT + "/model.safetensors")).doesNotExist();
    }

    @Test
    void refusesAPlainFileWhoseGitBlobIdDoesNotMatch() {
        hub.damaged.add("config.json");
        assertThatThrownBy(() -> client(settings()).pull(ID, "main"))
                .hasMessageContaining("org/model: config.json: git blob SHA-1 mismatch (expected " + FakeHub.gitOid(config));
        assertThat(repoDir().resolve("blobs/" + FakeHub.gitOid(config))).doesNotExist();
    }

    @Test
    void aDamagedPartialFromAnEarlierRunIsCaughtByTheCheck() throws IOException {
        Path part = repoDir().resolve("blobs/" + FakeHub.sha256(weights) + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, new byte[4096]); // zeros, not the file's first bytes
        assertThatThrownBy(() -> client(settings()).pull(ID, "main")).hasMessageContaining("SHA-256 mismatch");
        assertThat(part).doesNotExist();
        Snapshot s = client(settings()).pull(ID, "main"); // the advice works: the next pull succeeds
        assertThat(Files.readAllBytes(s.folder().resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void unauthorizedSaysToSetHfToken() {
        hub.repos.get("org/model").requiresToken = true;
        assertThatThrownBy(() -> client(settings()).pull(ID, "main"))
                .hasMessage("org/model: the hub requires authentication (HTTP 401): set HF_TOKEN to a read token ("
                        + hub.endpoint() + "/settings/tokens)");
        assertThatThrownBy(() -> client(settings().withToken("hf_wrong", "HF_TOKEN")).pull(ID, "main"))
                .hasMessage("org/model: the hub rejected the token from HF_TOKEN (HTTP 401): set HF_TOKEN to a valid read token");
        Snapshot s = client(settings().withToken(FakeHub.GOOD_TOKEN, "HF_TOKEN")).pull(ID, "main");
        assertThat(s.downloadedFiles()).isEqualTo(3);
    }

    @Test
    void aGatedRepositorySaysToAcceptItsConditionsAndSetHfToken() {
        hub.repos.get("org/model").gated = true;
        assertThatThrownBy(() -> client(settings()).pull(ID, "main"))
                .hasMessageStartingWith("org/model is a gated repository (HTTP 401): accept its conditions at "
                        + hub.endpoint() + "/org/model")
                .hasMessageContaining("set HF_TOKEN");
        assertThatThrownBy(() -> client(settings().withToken("hf_other", "HF_TOKEN")).pull(ID, "main"))
                .hasMessageContaining("(HTTP 403)").hasMessageContaining("the token from HF_TOKEN");
    }

    @Test
    void unknownRepositoryAndRevisionAreNamed() {
        assertThatThrownBy(() -> client(settings()).pull(RepoId.parse("org/nothing"), "main"))
                .hasMessageStartingWith("org/nothing: repository not found on " + hub.endpoint() + " (HTTP 404)")
                .hasMessageContaining("set HF_TOKEN");
        assertThatThrownBy(() -> client(settings()).pull(ID, "v9"))
                .hasMessageStartingWith("org/model: revision 'v9' not found (HTTP 404)");
        assertThatThrownBy(() -> client(settings()).pull(ID, "../x"))
                .hasMessageStartingWith("'../x' is not a revision");
    }

    @Test
    void aNetworkFailureNamesTheEndpoint() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens there once closed
        }
        HubSettings s = settings().withEndpoint(URI.create("http://127.0.0.1:" + port));
        assertThatThrownBy(() -> client(s).pull(ID, "main"))
                .hasMessage("org/model: cannot reach http://127.0.0.1:" + port + " (connection refused); check the network,"
                        + " a proxy, or HF_ENDPOINT (pull --offline uses the cache only)");
    }

    @Test
    void notEnoughDiskSpaceIsRefusedBeforeDownloading() {
        HubClient c = new HubClient(settings(), Progress.QUIET, 1, Duration.ZERO, Duration.ofSeconds(5), p -> 1_000_000);
        assertThatThrownBy(() -> c.pull(ID, "main"))
                .hasMessageStartingWith("disk full: org/model needs 3.15 MB more in " + repoDir().resolve("blobs")
                        + " but only 1.00 MB is free");
        assertThat(hub.downloads()).isEmpty();
    }

    @Test
    void aSecondPullDownloadsNothing() {
        client(settings()).pull(ID, "main");
        int before = hub.downloads().size();
        Snapshot again = client(settings()).pull(ID, "main");
        assertThat(hub.downloads()).hasSize(before);
        assertThat(again.downloadedFiles()).isZero();
        assertThat(again.downloadedBytes()).isZero();
        assertThat(again.files()).isEqualTo(3);
    }

    @Test
    void blobsAlreadyInTheCacheAreLinkedNotDownloaded() throws IOException {
        // as left by huggingface_hub for another commit of the same repository
        Path blob = repoDir().resolve("blobs/" + FakeHub.sha256(weights));
        Files.createDirectories(blob.getParent());
        Files.write(blob, weights);
        Snapshot s = client(settings()).pull(ID, "main");
        assertThat(hub.downloads()).extracting(FakeHub.Req::path).noneMatch(p -> p.contains("model.safetensors")
                || p.contains(FakeHub.sha256(weights)));
        assertThat(s.downloadedFiles()).isEqualTo(2);
        assertThat(Files.readAllBytes(s.folder().resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void offlineResolvesFromTheCacheAndNamesWhatIsMissing() throws IOException {
        Snapshot online = client(settings()).pull(ID, "main");
        hub.requests.clear();
        HubSettings off = settings().withOffline(true).withEndpoint(URI.create("http://127.0.0.1:9"));

        Snapshot hit = client(off).pull(ID, "main");
        assertThat(hit.folder()).isEqualTo(online.folder());
        assertThat(hit.files()).isEqualTo(3);
        assertThat(hit.totalBytes()).isEqualTo(online.totalBytes());
        assertThat(client(off).pull(ID, COMMIT).folder()).isEqualTo(online.folder());
        assertThat(hub.requests).isEmpty();

        assertThatThrownBy(() -> client(off).pull(RepoId.parse("org/other"), "main"))
                .hasMessage("org/other at revision 'main' is not in the cache " + cache + " and offline mode is on"
                        + " (--offline or HF_HUB_OFFLINE): run pull online first, or pass --cache DIR");
        assertThatThrownBy(() -> client(off).pull(ID, "dev")).hasMessageStartingWith("org/model at revision 'dev' is not in the cache");

        Files.delete(repoDir().resolve("blobs/" + FakeHub.sha256(weights)));
        assertThatThrownBy(() -> client(off).pull(ID, "main"))
                .hasMessageContaining("is incomplete: model.safetensors point to missing blobs");
    }

    @Test
    void anUnsafePathInTheListingIsRefused() {
        hub.repos.get("org/model").bogusPaths.add("../../../etc/evil");
        assertThatThrownBy(() -> client(settings()).pull(ID, "main"))
                .hasMessage("the hub listed an unsafe file path '../../../etc/evil' (absolute, or with '..')");
        assertThat(hub.downloads()).isEmpty();
    }

    @Test
    void aStalledConnectionTimesOutAndResumes() throws IOException {
        hub.stallFile = "model.safetensors";
        hub.stallAfter = 200_000;
        HubClient c = new HubClient(settings(), Progress.QUIET, 2, Duration.ZERO, Duration.ofMillis(300), p -> Long.MAX_VALUE);
        Snapshot s = c.pull(ID, "main");
        assertThat(hub.downloads()).filteredOn(r -> r.server().equals("cdn"))
                .extracting(FakeHub.Req::range).containsExactly(null, "bytes=200000-");
        assertThat(Files.readAllBytes(s.folder().resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void aCutThatKeepsHappeningGivesUpWithResumeAdvice() {
        HubClient once = new HubClient(settings(), Progress.QUIET, 1, Duration.ZERO, Duration.ofSeconds(5), p -> Long.MAX_VALUE);
        hub.cutFile = "model.safetensors";
        hub.cutAfter = 65536;
        assertThatThrownBy(() -> once.pull(ID, "main"))
                .hasMessageStartingWith("org/model: model.safetensors: the connection")
                .hasMessageContaining("gave up after 1 tries; run pull again to resume from");
        assertThat(repoDir().resolve("blobs/" + FakeHub.sha256(weights) + ".incomplete")).exists();
        Snapshot s = client(settings()).pull(ID, "main");
        assertThat(hub.downloads()).filteredOn(r -> r.server().equals("cdn")).last()
                .extracting(FakeHub.Req::range).isEqualTo("bytes=65536-");
        assertThat(s.folder().resolve("model.safetensors")).hasBinaryContent(weights);
    }
}
