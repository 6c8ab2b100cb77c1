package io.soundflow.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** One tokenizer shared by several threads (each with its own word cache) gives the same ids as one thread. */
class ConcurrentEncodeTest {

    @Test
    void threadsShareATokenizer() throws Exception {
        Tokenizer tok = TestTokenizers.omni();
        List<String> docs = DifferentialCorpusTest.corpus();
        List<int[]> expected = new ArrayList<>();
        for (String d : docs) {
            expected.add(tok.encode(d));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int shift = t;
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int r = 0; r < 20; r++) {
                        for (int i = 0; i < docs.size(); i++) {
                            int k = (i + shift * 7 + r) % docs.size();
                            assertThat(tok.encode(docs.get(k))).as(docs.get(k)).containsExactly(expected.get(k));
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isEqualTo(20 * docs.size());
            }
        }
    }
}
