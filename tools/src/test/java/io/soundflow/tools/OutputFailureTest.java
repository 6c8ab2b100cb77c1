package io.soundflow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.soundflow.testing.SharedData;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs that cannot be written (the reliability probe's C5, M3 and M8): a full disk or a closed pipe on
 * standard output ends the command with exit 1 and one line, soon, instead of exit 0 with everything
 * lost; a {@code --trace} that cannot be written fails before the stream starts.
 */
class OutputFailureTest {
    @TempDir
    Path dir;

    /** Standard output that accepts {@code room} bytes, then fails every write (as /dev/full, or a pipe whose reader left). */
    static final class FullDisk extends OutputStream {
        final long room;
        final AtomicLong written = new AtomicLong();
        final AtomicLong refused = new AtomicLong();

        FullDisk(long room) {
            this.room = room;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written.get() + len > room) {
                refused.incrementAndGet();
                throw new IOException("No space left on device");
            }
            written.addAndGet(len);
        }
    }

    private record Run(int code, String err, FullDisk out) {
    }

    private static Run run(long room, String... args) {
        FullDisk disk = new FullDisk(room);
        StringWriter err = new StringWriter();
        int code = CliRun.run(new PrintWriter(disk, true, StandardCharsets.UTF_8), new PrintWriter(err, true), args);
        return new Run(code, err.toString(), disk);
    }

    @Test
    void streamToAFullStdoutExitsNonZeroAndStopsSoon() {
        Path ai = SharedData.require("golden/ai-tiny");
        for (String format : new String[] {"--json", "--lenient"}) { // JSON events, and the text timeline
            Run r = run(300, "stream", "--model", ai.resolve("model").toString(), "--wav", ai.resolve("clip-8s.wav").toString(),
                    "--mode", "chunk-local", format);
            assertThat(r.code()).as(format + ": " + r.err()).isEqualTo(1);
            assertThat(r.err()).as(format).contains(Stdout.FAILED).doesNotContain("Exception").doesNotContain("\tat ");
            // the stream stopped at the first failed write: a handful of events at most were attempted after it
            assertThat(r.out().refused.get()).as(format + ": writes attempted after stdout failed").isLessThan(10);
        }
    }

    /** Fed at real time, the feeder meets the failed session before it has ended: the cause is still the one reported. */
    @Test
    void aRealtimeStreamToAFullStdoutReportsThatAndNotTheClosedInput() {
        Path ai = SharedData.require("golden/ai-tiny");
        Run r = run(200, "stream", "--model", ai.resolve("model").toString(), "--wav", ai.resolve("clip-8s.wav").toString(),
                "--json", "--realtime");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains(Stdout.FAILED).doesNotContain("input has ended");
    }

    @Test
    void everyCommandChecksItsStdoutAtTheEnd() {
        Path tok = SharedData.require("fixtures/tokenizers/qwen2.5-omni-tokenizer.json");
        Run r = run(0, "tokenize", "--tokenizer", tok.toString(), "--text", "Hello, world!");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("soundflow: " + Stdout.FAILED);
        Run ok = run(1 << 20, "tokenize", "--tokenizer", tok.toString(), "--text", "Hello, world!");
        assertThat(ok.code()).as(ok.err()).isZero();
    }

    @Test
    void askToAFullStdoutExitsNonZero() {
        Path g = SharedData.require("golden/ai-tiny");
        Run r = run(0, "ask", "--model", g.resolve("model").toString(), "--wav", g.resolve("clip-8s.wav").toString(),
                "--prompt", "What do you hear?", "--max-new-tokens", "5");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains(Stdout.FAILED);
    }

    @Test
    void anUnwritableTraceFailsBeforeTheStreamStarts() throws Exception {
        Path ai = SharedData.require("golden/ai-tiny");
        String model = ai.resolve("model").toString(), wav = ai.resolve("clip-8s.wav").toString();
        CliRun missing = CliRun.run("stream", "--model", model, "--wav", wav, "--trace", dir.resolve("no/such/t.json").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip()).isEqualTo("soundflow stream: " + dir.resolve("no/such/t.json")
                + ": cannot write the trace: no such folder " + dir.resolve("no/such"));
        assertThat(missing.out()).as("nothing was streamed").doesNotContain("summary");
        Files.createDirectories(dir.resolve("d"));
        CliRun directory = CliRun.run("stream", "--model", model, "--wav", wav, "--trace", dir.resolve("d").toString());
        assertThat(directory.err().strip()).isEqualTo("soundflow stream: " + dir.resolve("d") + ": is a directory; --trace takes a file name");
        assertThat(directory.out()).doesNotContain("summary");
    }
}
