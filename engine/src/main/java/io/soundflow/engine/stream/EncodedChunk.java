package io.soundflow.engine.stream;

/**
 * One chunk through the audio tower.
 *
 * @param index         chunk number in the stream, from 0
 * @param vectors       audio vectors [vectorsPerChunk, hidden], row-major
 * @param completeNanos {@link System#nanoTime()} when the encoder had the chunk's samples (and look-ahead)
 */
record EncodedChunk(long index, float[] vectors, long completeNanos) {
}
