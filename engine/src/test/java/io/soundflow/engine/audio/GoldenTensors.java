package io.soundflow.engine.audio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Minimal safetensors reader for the golden references (F32 tensors only): header length, JSON, data. */
final class GoldenTensors {
    private final ByteBuffer data;
    private final JsonNode header;

    GoldenTensors(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) bb.getLong(0);
        header = new ObjectMapper().readTree(new String(b, 8, n, StandardCharsets.UTF_8));
        data = ByteBuffer.wrap(b, 8 + n, b.length - 8 - n).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    int[] shape(String key) {
        JsonNode s = entry(key).get("shape");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asInt();
        }
        return out;
    }

    float[] f32(String key) {
        JsonNode e = entry(key);
        if (!e.get("dtype").asText().equals("F32")) {
            throw new IllegalArgumentException(key + " is " + e.get("dtype").asText() + ", not F32");
        }
        int from = e.get("data_offsets").get(0).asInt();
        int to = e.get("data_offsets").get(1).asInt();
        float[] out = new float[(to - from) / 4];
        data.slice(from, to - from).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private JsonNode entry(String key) {
        JsonNode e = header.get(key);
        if (e == null) {
            throw new IllegalArgumentException("no tensor " + key);
        }
        return e;
    }
}
