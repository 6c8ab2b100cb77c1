package io.soundflow.tools.hub;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read with a time limit per piece: {@code HttpClient}'s own timeout ends when the headers
 * arrive, so a connection that stalls mid-body would otherwise block a download for ever.
 */
final class TimedBody implements Flow.Subscriber<List<ByteBuffer>> {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /** The next buffers of the body, or null at its end; throws when none came within {@code timeout}. */
    @SuppressWarnings("unchecked")
    List<ByteBuffer> next(Duration timeout) throws IOException {
        Object o;
        try {
            o = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            cancel();
            throw new java.io.InterruptedIOException("interrupted");
        }
        if (o == null) {
            cancel();
            throw new HttpTimeoutException("no data for " + timeout.toSeconds() + " s");
        }
        if (o == END) {
            return null;
        }
        if (o instanceof Throwable t) {
            throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
        }
        subscription.request(1);
        return (List<ByteBuffer>) o;
    }

    void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
