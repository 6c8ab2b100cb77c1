package io.soundflow.tools.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.soundflow.engine.stream.DrainLayout;
import io.soundflow.engine.stream.FrontEndMode;
import io.soundflow.engine.stream.SessionOptions;
import io.soundflow.tools.demo.Demo;
import io.soundflow.tools.demo.DemoExpectations;
import io.soundflow.tools.stream.StreamRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code --mic} path end to end with a fake capture line: line, MicCapture, session, timeline. */
class MicStreamTest {
    @TempDir
    Path dir;

    @Test
    void aFakeLineStreamsThroughTheSessionToBothDecisions() throws Exception {
        Demo demo = Demo.load(dir);
        // the fake line hands its samples over as fast as they are read, so keep within the sample ring (8.2 s):
        // the clip's first 20 chunks, which hold its first respond-event (the doorbell)
        int chunks = 20;
        short[] pcm = new short[chunks * 6400];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(demo.clip()[i] * 32768)));
        }
        FakeTargetDataLine line = new FakeTargetDataLine(new AudioFormat[] {MicCaptureTest.pcm16(16000, 1)}, f -> true, pcm);
        StringWriter out = new StringWriter();
        SessionOptions o = SessionOptions.defaults().withMode(FrontEndMode.WINDOWED).withLayout(DrainLayout.ONE_BY_ONE);
        try (var engine = demo.engine()) {
            new StreamRunner(engine, o, false, null, new PrintWriter(out, true))
                    .runMic(4, sink -> MicCapture.open(line, sink));
        }
        assertThat(line.exhausted()).isTrue();
        var within = DemoExpectations.respondEvents(demo).stream().filter(e -> e.onset() + DemoExpectations.WITHIN_S <= chunks * 0.4).toList();
        assertThat(within).isNotEmpty();
        for (var e : within) {
            assertThat(out.toString()).contains(DemoExpectations.timelineLine(e));
        }
        assertThat(out.toString()).containsPattern("\\d\\.\\ds  \\.+")
                .contains(String.format(java.util.Locale.ROOT, "summary: %d chunks (%.1f s of audio) decided, %d response",
                        chunks, chunks * 0.4, within.size()))
                .contains("overruns 0 samples");
    }

    @Test
    void noDeviceIsOneClearError() throws Exception {
        Demo demo = Demo.load(dir);
        try (var engine = demo.engine()) {
            StreamRunner r = new StreamRunner(engine, SessionOptions.defaults(), false, null, new PrintWriter(new StringWriter()));
            assertThatThrownBy(() -> r.runMic(1, sink -> MicCapture.open(() -> null, sink)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no audio input device");
        }
    }
}
