package io.soundflow.tools.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Repository ids, settings from the environment, byte sizes and the terminal progress line. */
class RepoIdAndSettingsTest {

    @TempDir
    Path home;

    @Test
    void repoIdsAreOrgSlashName() {
        assertThat(RepoId.parse("Qwen/Qwen2.5-Omni-3B").cacheFolderName()).isEqualTo("models--Qwen--Qwen2.5-Omni-3B");
        assertThat(RepoId.parse("zhifeixie/AudioInteraction").toString()).isEqualTo("zhifeixie/AudioInteraction");
        for (String bad : new String[]{"gpt2", "a/b/c", "a--b/c", "a/b..c", "../x", "a/.hidden", "a/b.git", "a b/c", "/x", "x/",
                "a/" + "n".repeat(100)}) {
            assertThatThrownBy(() -> RepoId.parse(bad)).as(bad).isInstanceOf(HubException.class)
                    .hasMessage("'" + bad + "' is not a model id: expected ORG/NAME (letters, digits, '-', '_', '.'),"
                            + " e.g. Qwen/Qwen2.5-Omni-3B");
        }
    }

    @Test
    void settingsFollowHuggingFaceHubsEnvironment() throws IOException {
        HubSettings d = HubSettings.fromEnvironment(Map.of(), home);
        assertThat(d.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThat(d.cache()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(d.token()).isNull();
        assertThat(d.offline()).isFalse();

        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", "/data/hf"), home).cache()).isEqualTo(Path.of("/data/hf/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), home).cache())
                .isEqualTo(Path.of("/xdg/huggingface/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HOME", "/data/hf", "HF_HUB_CACHE", "/fast/hub"), home).cache())
                .isEqualTo(Path.of("/fast/hub"));
        assertThat(HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "https://hf-mirror.example/"), home).endpoint())
                .isEqualTo(URI.create("https://hf-mirror.example"));
        for (String on : new String[]{"1", "true", "YES", "on"}) {
            assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", on), home).offline()).as(on).isTrue();
        }
        assertThat(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline()).isFalse();

        HubSettings t = HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_env"), home);
        assertThat(t.token()).isEqualTo("hf_env");
        assertThat(t.tokenSource()).isEqualTo("HF_TOKEN");
        assertThat(t.toString()).doesNotContain("hf_env");

        Path tokenFile = home.resolve(".cache/huggingface/token"); // what `hf auth login` writes
        Files.createDirectories(tokenFile.getParent());
        Files.writeString(tokenFile, "hf_file\n");
        HubSettings f = HubSettings.fromEnvironment(Map.of(), home);
        assertThat(f.token()).isEqualTo("hf_file");
        assertThat(f.tokenSource()).isEqualTo(tokenFile.toString());
        assertThat(HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_env"), home).token()).isEqualTo("hf_env");

        assertThatThrownBy(() -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://x"), home))
                .hasMessageContaining("'ftp://x' is not an http(s) URL");
    }

    @Test
    void sizesUseDecimalUnits() {
        assertThat(Sizes.human(0)).isEqualTo("0 B");
        assertThat(Sizes.human(999)).isEqualTo("999 B");
        assertThat(Sizes.human(1_280_000_000L)).isEqualTo("1.28 GB");
        assertThat(Sizes.human(3_970_000_000L)).isEqualTo("3.97 GB");
        assertThat(Sizes.human(45_600_000)).isEqualTo("45.6 MB");
        assertThat(Sizes.human(999_999)).isEqualTo("1.00 MB");
        assertThat(Sizes.human(123_456)).isEqualTo("123 kB");
    }

    @Test
    void theTerminalLineIsRedrawnInPlaceAndLeftFinished() {
        StringWriter w = new StringWriter();
        long[] now = {0};
        ConsoleProgress p = new ConsoleProgress(new PrintWriter(w), () -> now[0]);
        p.start("model.safetensors", 4_000_000_000L, 0);
        now[0] += 50_000_000; // 50 ms: too soon to redraw
        p.update(1_000_000_000L);
        now[0] += 100_000_000;
        p.update(2_000_000_000L);
        p.finish("model.safetensors", 4_000_000_000L, false);
        p.finish("config.json", 1234, true);
        String nl = System.lineSeparator();
        assertThat(w.toString()).isEqualTo(
                "\r  model.safetensors  0 B / 4.00 GB  0%"
                        + "\r  model.safetensors  2.00 GB / 4.00 GB  50%"
                        + "\r  model.safetensors  4.00 GB  downloaded   " + nl
                        + "\r  config.json  1.23 kB  cached" + nl);
    }
}
