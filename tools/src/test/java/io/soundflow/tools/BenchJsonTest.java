package io.soundflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.soundflow.testing.SharedData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench forward --json} and {@code bench stream --json}: one JSON object per line on stdout, nothing else. */
class BenchJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> lines(CliRun r) {
        assertThat(r.code()).as(r.err()).isZero();
        return r.out().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("not one JSON object per line: " + l, e);
            }
        }).toList();
    }

    @Test
    void benchForwardPrintsOneRowPerMeasurement() {
        List<JsonNode> rows = lines(CliRun.run("bench", "forward", "--json", "--formats=q4_0", "--layers=1", "--tokens=1",
                "--prefill=2", "--no-encoder", "--repeats=1", "--read-gbs=40", "--fma-gflops=400"));
        assertThat(rows).extracting(n -> n.get("what").asText()).containsExactly("decode", "prefill2");
        for (JsonNode n : rows) {
            assertThat(n.get("format").asText()).isEqualTo("q4_0");
            assertThat(n.get("ms").asDouble()).isPositive();
            assertThat(n.get("roofline_fraction").asDouble()).isPositive();
            assertThat(n.get("read_gbs").asDouble()).isEqualTo(40.0);
            assertThat(n.get("fma_gflops").asDouble()).isEqualTo(400.0);
        }
        assertThat(rows.get(0).get("unit").asText()).isEqualTo("tok/s");
    }

    @Test
    void benchStreamPrintsOneSummaryPerModelPart() {
        String tiny = SharedData.require("golden/ai-tiny").resolve("model").toString();
        List<JsonNode> parts = lines(CliRun.run("bench", "stream", "--json", "--no-3b", "--seconds=2", "--fma-gflops=400",
                "--tiny", tiny));
        assertThat(parts).hasSize(1);
        JsonNode p = parts.get(0);
        assertThat(p.get("model").asText()).isEqualTo("ai-tiny");
        assertThat(p.get("rtf").asDouble()).isPositive();
        assertThat(p.get("encoder_ms_per_chunk").asDouble()).isPositive();
        // fed at real time: the first chunk is complete only after 400 ms of audio
        assertThat(p.get("first_decision_ms").asDouble()).isGreaterThanOrEqualTo(400.0);
        assertThat(p.get("fma_gflops").asDouble()).isEqualTo(400.0);
    }

    /** bench forward says what memory its random weights need, and refuses before allocating when that is not there. */
    @Test
    void benchForwardRefusesWhenTheWeightsWouldNotFit() {
        System.setProperty("soundflow.availableMemory", String.valueOf(1L << 30)); // 1 GiB "available"
        try {
            CliRun r = CliRun.run("bench", "forward", "--formats=bf16", "--tokens=1");
            assertThat(r.code()).isNotZero();
            assertThat(r.err()).contains("the random 36-layer weights need 8.1 GB of memory but 1.1 GB are available; ")
                    .contains("not even one layer fits"); // the embedding and lm_head alone take 1.2 GB in BF16
            System.setProperty("soundflow.availableMemory", String.valueOf(1_500_000_000L));
            CliRun q = CliRun.run("bench", "forward", "--formats=q4_0", "--tokens=1", "--no-encoder");
            assertThat(q.code()).isNotZero();
            assertThat(q.err()).containsPattern("need 2\\.0 GB of memory but 1\\.5 GB are available; use --layers 2[0-9] \\(the most that fit\\)");
        } finally {
            System.clearProperty("soundflow.availableMemory");
        }
    }
}
