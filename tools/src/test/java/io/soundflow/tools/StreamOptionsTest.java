package io.soundflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.soundflow.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Option values that cannot work are refused up front, by option name (the probe's wording findings). */
class StreamOptionsTest {
    private static CliRun stream(String... extra) {
        Path ai = SharedData.require("golden/ai-tiny");
        String[] base = {"stream", "--model", ai.resolve("model").toString(), "--wav", ai.resolve("clip-8s.wav").toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliRun.run(args);
    }

    private static void refused(String message, String... options) {
        CliRun r = stream(options);
        assertThat(r.code()).as(String.join(" ", options)).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("soundflow stream: " + message);
    }

    @Test
    void badSamplingAndInputOptionsAreRefusedByName() {
        refused("--temperature must be a finite number >= 0 (0 = greedy), got -1.0", "--temperature=-1");
        refused("--temperature must be a finite number >= 0 (0 = greedy), got NaN", "--temperature=NaN");
        refused("--top-k needs --temperature > 0 (greedy decoding takes the argmax)", "--top-k", "5");
        refused("--seconds applies to --mic only (a file streams to its end)", "--seconds", "3");
        refused("maxPositions (--max-positions) must be >= 0 (0 = the model's block size), got -1", "--max-positions=-1");
        refused("windowBlocks (--window-blocks) must be at least 1, got 0", "--window-blocks=0");
        refused("maxReplyTokens (--max-reply) must be >= 0 (0 = no cap), got -3", "--max-reply=-3");
        refused("--decision-bias must be a finite number of logits, got NaN", "--decision-bias=NaN");
    }

    @Test
    void theDecisionBiasReachesTheSessionAndJsonDecisionsCarryTheMargin() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String bias : new String[] {"0", "-1000"}) {
            CliRun r = stream("--mode", "chunk-local", "--layout", "one-by-one", "--json", "--decision-bias=" + bias);
            assertThat(r.code()).as(r.err()).isZero();
            StringBuilder d = new StringBuilder();
            for (String line : r.out().split("\n")) {
                var e = json.readTree(line);
                if (e.get("event").asText().equals("decision")) {
                    assertThat(e.get("margin").isNumber()).as(line).isTrue();
                    d.append(e.get("decision").asText().equals("respond") ? 'R' : 's');
                }
            }
            String golden = json.readTree(SharedData.require("golden/ai-tiny").resolve("trace-chunk-local.json").toFile())
                    .get("decisions").asText();
            assertThat(d.toString()).isEqualTo(bias.equals("0") ? golden : "s".repeat(golden.length()));
        }
    }

    @Test
    void theSmallestCapacityTheMessageNamesReallyStreams() {
        CliRun small = stream("--max-positions=58", "--mode", "chunk-local");
        assertThat(small.code()).isEqualTo(1);
        assertThat(small.err()).contains("a KV capacity of 58 positions is too small").contains("need at least 59");
        assertThat(small.out()).as("refused when the session starts, before any audio").doesNotContain("summary");
        CliRun least = stream("--max-positions=59", "--mode", "chunk-local");
        assertThat(least.code()).as(least.err()).isZero();
        assertThat(least.out()).contains("summary: 20 chunks");
    }

    @Test
    void askRefusesAHugeTokenBudgetByName() {
        Path g = SharedData.require("golden/ai-tiny");
        CliRun r = CliRun.run("ask", "--model", g.resolve("model").toString(), "--wav", g.resolve("clip-8s.wav").toString(),
                "--prompt", "hi", "--max-new-tokens=2147483647");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--max-new-tokens 2147483647 is too large").contains("lower --max-new-tokens")
                .doesNotContain("-2147");
    }
}
