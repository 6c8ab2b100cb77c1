package io.soundflow.bench.audio;

import io.soundflow.engine.audio.AudioInteractionMel;
import io.soundflow.engine.audio.LogMel;
import io.soundflow.engine.audio.Mel;
import io.soundflow.engine.audio.Resampler;
import io.soundflow.engine.audio.StreamingResampler;
import io.soundflow.engine.audio.WindowedMel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Audio front-end costs: the per-chunk mel of each Audio-Interaction mode (one 400 ms chunk is the
 * real-time budget unit), the Qwen2.5-Omni 300 s convention for 30 s of audio, and 48 to 16 kHz resampling.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Thread)
public class FrontEndBench {
    private float[] chunk;       // 6400 + 40 samples at 16 kHz
    private float[] thirtySec;   // 30 s at 16 kHz
    private float[] eightSec;    // 8 s at 16 kHz
    private float[] mic48k;      // 20 ms at 48 kHz
    private WindowedMel windowed;
    private StreamingResampler streaming;

    @Setup
    public void setup() {
        Random r = new Random(42);
        thirtySec = new float[30 * 16000];
        for (int i = 0; i < thirtySec.length; i++) {
            thirtySec[i] = (float) (0.1 * r.nextGaussian());
        }
        chunk = java.util.Arrays.copyOf(thirtySec, 6440);
        eightSec = java.util.Arrays.copyOf(thirtySec, 8 * 16000);
        mic48k = new float[960];
        for (int i = 0; i < mic48k.length; i++) {
            mic48k[i] = (float) (0.1 * r.nextGaussian());
        }
        windowed = AudioInteractionMel.windowed();
        streaming = new StreamingResampler(48000, 16000);
    }

    @Benchmark
    public Mel chunkLocalPerChunk() {
        return AudioInteractionMel.chunkLocal(chunk, 0, 6400);
    }

    @Benchmark
    public Mel windowedPerChunk() {
        return windowed.next(chunk, 0, 6440, false);
    }

    @Benchmark
    public Mel[] refExactEightSeconds() {
        return AudioInteractionMel.refExact(eightSec);
    }

    @Benchmark
    public Mel qwenOfflineThirtySeconds() {
        return LogMel.qwenOffline(thirtySec);
    }

    @Benchmark
    public float[] resample48kTo16kOneSecondOneShot() {
        return Resampler.resample(java.util.Arrays.copyOf(thirtySec, 48000), 48000, 16000);
    }

    @Benchmark
    public float[] resampleMicBlock20ms() {
        return streaming.process(mic48k, 0, mic48k.length);
    }
}
