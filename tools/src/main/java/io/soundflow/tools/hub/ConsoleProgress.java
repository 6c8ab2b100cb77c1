package io.soundflow.tools.hub;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One line per file on a terminal, rewritten in place ({@code \r}) at most ten times a second while the file
 * downloads, then left as its final form: {@code   config.json   1.23 kB  downloaded}.
 */
public final class ConsoleProgress implements Progress {
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final LongSupplier nanoTime;
    private String path;
    private long size;
    private long lastDraw;
    private int lastWidth;

    public ConsoleProgress(PrintWriter out) {
        this(out, System::nanoTime);
    }

    ConsoleProgress(PrintWriter out, LongSupplier nanoTime) {
        this.out = out;
        this.nanoTime = nanoTime;
    }

    @Override
    public void start(String p, long s, long done) {
        path = p;
        size = s;
        lastWidth = 0;
        draw(done);
    }

    @Override
    public void update(long done) {
        long now = nanoTime.getAsLong();
        if (now - lastDraw >= REDRAW_NANOS) {
            draw(done);
        }
    }

    private void draw(long done) {
        lastDraw = nanoTime.getAsLong();
        int pct = size == 0 ? 100 : (int) (100 * done / size);
        line(String.format(Locale.ROOT, "  %s  %s / %s  %d%%", path, Sizes.human(done), Sizes.human(size), pct), false);
    }

    @Override
    public void finish(String p, long s, boolean fromCache) {
        line("  " + p + "  " + Sizes.human(s) + "  " + (fromCache ? "cached" : "downloaded"), true);
        path = null;
        lastWidth = 0; // the next file starts on a fresh line
    }

    @Override
    public void abort() {
        if (path != null) {
            out.println();
            out.flush();
            path = null;
        }
    }

    private void line(String text, boolean last) {
        StringBuilder b = new StringBuilder("\r").append(text);
        for (int i = text.length(); i < lastWidth; i++) {
            b.append(' '); // wipe the tail of a longer earlier drawing
        }
        lastWidth = text.length();
        if (last) {
            b.append(System.lineSeparator());
        }
        out.print(b);
        out.flush();
    }
}
