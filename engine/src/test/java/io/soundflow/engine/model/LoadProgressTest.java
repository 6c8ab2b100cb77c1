package io.soundflow.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.soundflow.kernels.WeightFormat;
import io.soundflow.testing.SharedData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A load reports every tensor it prepares, in order, out of the checkpoint's count, naming quantization. */
class LoadProgressTest {
    record Call(String what, int done, int total) {
    }

    static List<Call> load(WeightFormat quantize) throws Exception {
        List<Call> calls = new ArrayList<>();
        LoadOptions o = new LoadOptions(Golden.kernels("vector"), quantize, (what, done, total) -> calls.add(new Call(what, done, total)));
        try (AudioInteractionModel m = AudioInteractionLoader.load(SharedData.require("golden/ai-tiny").resolve("model"), o)) {
            assertThat(m.vocabSize()).isPositive();
        }
        return calls;
    }

    @Test
    void everyTensorIsCountedOnceInOrder() throws Exception {
        List<Call> calls = load(null);
        assertThat(calls).isNotEmpty();
        int total = calls.get(0).total();
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i)).isEqualTo(new Call("tensors", i + 1, total));
        }
        assertThat(calls.size()).as("every tensor but an absent optional lm_head").isBetween(total - 1, total);
    }

    @Test
    void quantizingSaysSo() throws Exception {
        assertThat(load(WeightFormat.Q8_0)).extracting(Call::what).containsOnly("quantizing to q8_0");
    }
}
