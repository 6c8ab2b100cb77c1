package io.soundflow.engine.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplerTest {
    static final float[] LOGITS = {1f, 3f, 3f, 2f, -1f};

    @Test
    void greedyBreaksTiesTowardTheLowestId() {
        assertThat(new Sampler(SamplingSettings.GREEDY).next(LOGITS, 0, 5, new int[0])).isEqualTo(1);
        assertThat(Sampler.argmax(new float[] {0f, 5f, 5f, 5f}, 1, 3)).isZero();
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        var s = new Sampler(new SamplingSettings(0f, 0, 1f, 2f, 0));
        assertThat(s.next(LOGITS, 0, 5, new int[] {1, 2})).isEqualTo(3); // 3/2 = 1.5 < 2
        float[] neg = {-1f, -0.6f};
        assertThat(new Sampler(new SamplingSettings(0f, 0, 1f, 2f, 0)).next(neg, 0, 2, new int[] {1})).isZero();
    }

    @Test
    void repetitionPenaltySeesOnlyTheGivenHistoryPrefix() {
        var s = new Sampler(new SamplingSettings(0f, 0, 1f, 4f, 0));
        float[] logits = {1f, 3f};
        int[] history = {1, 0};
        assertThat(s.next(logits, 0, 2, history, 0)).isEqualTo(1); // nothing penalized
        assertThat(s.next(logits, 0, 2, history, 1)).isEqualTo(0); // 3/4 < 1; the 0 after the prefix is ignored
        assertThat(s.next(logits, 0, 2, history, 2)).isEqualTo(1); // 1/4 < 3/4
        assertThatThrownBy(() -> s.next(logits, 0, 2, history, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        var k1 = new Sampler(new SamplingSettings(1f, 1, 1f, 1f, 42));
        var p = new Sampler(new SamplingSettings(1f, 0, 1e-6f, 1f, 42));
        for (int i = 0; i < 50; i++) {
            assertThat(k1.next(LOGITS, 0, 5, new int[0])).isEqualTo(1);
            assertThat(p.next(LOGITS, 0, 5, new int[0])).isEqualTo(1);
        }
    }

    @Test
    void samplingFollowsTheSoftmaxAndIsSeeded() {
        float[] l = {0f, (float) Math.log(3)}; // p = 1/4, 3/4
        var s = new Sampler(new SamplingSettings(1f, 0, 1f, 1f, 7));
        int ones = 0, n = 20000;
        int[] first = new int[20];
        for (int i = 0; i < n; i++) {
            int t = s.next(l, 0, 2, new int[0]);
            ones += t;
            if (i < 20) {
                first[i] = t;
            }
        }
        assertThat(ones / (double) n).isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.02));
        var again = new Sampler(new SamplingSettings(1f, 0, 1f, 1f, 7));
        for (int i = 0; i < 20; i++) {
            assertThat(again.next(l, 0, 2, new int[0])).isEqualTo(first[i]);
        }
        // temperature sharpens: at T = 0.25 the odds become 81:1
        var cold = new Sampler(new SamplingSettings(0.25f, 0, 1f, 1f, 7));
        int coldOnes = 0;
        for (int i = 0; i < n; i++) {
            coldOnes += cold.next(l, 0, 2, new int[0]);
        }
        assertThat(coldOnes / (double) n).isCloseTo(81 / 82.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        float[] l = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        var s = new Sampler(new SamplingSettings(1f, 0, 0.7f, 1f, 3));
        boolean sawOne = false;
        for (int i = 0; i < 2000; i++) {
            int t = s.next(l, 0, 3, new int[0]);
            assertThat(t).isIn(0, 1);
            sawOne |= t == 1;
        }
        assertThat(sawOne).isTrue();
    }

    @Test
    void sortOrderIsDescendingWithTiesByLowerId() {
        float[] l = {0.5f, -2f, 3f, 0.5f, Float.NEGATIVE_INFINITY, 0f, 1f, 3f};
        assertThat(Sampler.sortedDescending(l, l.length, 0)).containsExactly(2, 7, 6, 0, 3, 5, 1, 4);
        assertThat(Sampler.sortedDescending(l, l.length, 3)).containsExactly(2, 7, 6);
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> new SamplingSettings(-1f, 0, 1f, 1f, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingSettings(1f, -1, 1f, 1f, 0)).hasMessageContaining("top-k");
        assertThatThrownBy(() -> new SamplingSettings(1f, 0, 0f, 1f, 0)).hasMessageContaining("top-p");
        assertThatThrownBy(() -> new SamplingSettings(1f, 0, 1f, 0f, 0)).hasMessageContaining("repetition");
    }
}
