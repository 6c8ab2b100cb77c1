package io.soundflow.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soundflow.kernels.Backends;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Without a probe the last decoder layer runs o and the MLP only on the rows whose logits are asked for;
 * those logits equal the full forward's (a probe forces every row through every layer), for the last row,
 * every row, and any other selection, and the keys and values left in the cache are the same.
 * Tolerance: relative error 1e-5 (float32: only the batch shape of the matrix products differs).
 */
class NarrowLastLayerTest {
    static final double TOL = 1e-5;
    static final Probe ALL_ROWS = new Probe() { // active: the forward runs every row through every layer
        @Override
        public void stage(String name, io.soundflow.kernels.FloatBuf data, int rows, int cols) {
        }
    };

    @TempDir
    Path tmp;

    private OmniThinker load(TinyCheckpoint ck, String backend) throws Exception {
        ck.write(tmp);
        return OmniLoader.load(tmp, new LoadOptions(Backends.create(backend), null));
    }

    private static float[] rows(float[] all, int vocab, int... rows) {
        float[] out = new float[rows.length * vocab];
        for (int j = 0; j < rows.length; j++) {
            System.arraycopy(all, rows[j] * vocab, out, j * vocab, vocab);
        }
        return out;
    }

    private static double relErr(float[] got, float[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) {
            num += (got[i] - want[i]) * (double) (got[i] - want[i]);
            den += want[i] * (double) want[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void selectedRowsEqualTheFullForward(String backend) throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(11).generate();
        int[] ids = {5, 9, 2, 14, 7, 3, 11, 8, 6};
        int n = ids.length;
        int[] every = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        try (OmniThinker m = load(ck, backend)) {
            TextDecoder text = m.text();
            int vocab = text.config().vocab();
            float[] full = text.forward(m.newCache(32), ids, new int[0], new float[0], every, ALL_ROWS);
            for (int[] sel : new int[][] {{n - 1}, every, {3, 7, 1}, {4, 4}, {0}}) {
                float[] got = text.forward(m.newCache(32), ids, new int[0], new float[0], sel, Probe.NONE);
                assertThat(relErr(got, rows(full, vocab, sel))).as("rows %s", Arrays.toString(sel)).isLessThanOrEqualTo(TOL);
                int[] best = text.greedy(m.newCache(32), ids, new int[0], new float[0], sel);
                for (int j = 0; j < sel.length; j++) {
                    assertThat(best[j]).as("greedy row %d", sel[j]).isEqualTo(Sampler.argmax(got, j * vocab, vocab));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void aForwardWithoutLogitRowsStillLeavesTheLastLayersKeysAndValues(String backend) throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(12).generate();
        int[] a = {5, 9, 2, 14}, b = {7, 3, 11};
        try (OmniThinker m = load(ck, backend)) {
            TextDecoder text = m.text();
            KvCache split = m.newCache(32);
            assertThat(text.forward(split, a, new int[0], new float[0], new int[0], Probe.NONE)).isEmpty();
            assertThat(split.length()).isEqualTo(a.length);
            float[] got = text.forward(split, b, new int[0], new float[0], new int[] {0, 1, 2}, Probe.NONE);
            int[] ab = {5, 9, 2, 14, 7, 3, 11};
            float[] want = text.forward(m.newCache(32), ab, new int[0], new float[0], new int[] {4, 5, 6}, ALL_ROWS);
            assertThat(relErr(got, want)).isLessThanOrEqualTo(TOL);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void greedyFailsOnANonFiniteLogitAndForgetsTheForward(String backend) throws Exception {
        TinyCheckpoint ck = new TinyCheckpoint(13).generate();
        ck.values.get("thinker.model.layers.1.mlp.down_proj.weight")[17] = Float.NaN;
        try (OmniThinker m = load(ck, backend)) {
            KvCache cache = m.newCache(16);
            assertThatThrownBy(() -> m.text().greedy(cache, new int[] {1, 2, 3}, new int[0], new float[0], new int[] {2}))
                    .isInstanceOf(NonFiniteException.class)
                    .hasMessageStartingWith("decoder: the logits of position 2 (logit row 0) hold NaN at id ");
            assertThat(cache.length()).isZero();
        }
    }
}
