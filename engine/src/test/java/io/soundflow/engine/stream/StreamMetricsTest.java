package io.soundflow.engine.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Decision latency percentiles (HdrHistogram) cover every decision, within 0.1%, in bounded memory. */
class StreamMetricsTest {
    @Test
    void percentilesOfEveryDecision() {
        StreamMetrics m = new StreamMetrics(1);
        assertThat(m.snapshot(0, 0, 0).decisionP50Ms()).isNaN();
        for (int i = 1; i <= 1000; i++) {
            m.decision(i); // 1 .. 1000 ms
        }
        StreamStats s = m.snapshot(16_000, 0, 0);
        assertThat(s.decisionP50Ms()).isCloseTo(500.0, within(0.5));
        assertThat(s.decisionP95Ms()).isCloseTo(950.0, within(1.0));
        assertThat(s.decisionMaxMs()).isEqualTo(1000.0);
        assertThat(s.stallRate()).isCloseTo(0.6, within(1e-12)); // 401 .. 1000 ms are over one chunk
    }

    @Test
    void aLongStreamKeepsItsEarlyDecisionsInThePercentiles() {
        StreamMetrics m = new StreamMetrics(1);
        for (int i = 0; i < 100_000; i++) {
            m.decision(i < 10_000 ? 2000.0 : 10.0); // the first 10% slow (a window of recent values would forget them)
        }
        StreamStats s = m.snapshot(16_000, 0, 0);
        assertThat(s.decisionP95Ms()).isCloseTo(2000.0, within(2.1)); // HdrHistogram: 3 significant digits
        assertThat(s.decisionP50Ms()).isCloseTo(10.0, within(0.01));
        assertThat(s.decisionMaxMs()).isEqualTo(2000.0);
    }
}
