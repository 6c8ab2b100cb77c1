package io.soundflow.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Parse errors read as one line with their location, without Jackson's internals. */
class JsonMessageTest {
    @Test
    void aNestedLocationIsKeptAndTheRedactedSourceDropped() {
        try {
            new ObjectMapper().readTree("{\"a\": [1, 2");
            throw new AssertionError("parsed");
        } catch (Exception e) {
            String m = Json.oneLine(e);
            assertThat(m).startsWith("Unexpected end-of-input").contains("start marker at line 1, column ")
                    .doesNotContain("REDACTED").doesNotContain("StreamReadFeature").doesNotContain("\n");
        }
    }
}
