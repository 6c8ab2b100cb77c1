package io.soundflow.tools;

import io.soundflow.engine.model.LoadProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A model load's progress as one line on stderr, redrawn in place at most ten times a second, and only when
 * the process talks to a terminal (a pipe or a file gets nothing): {@code loading model: 212/434 tensors}.
 */
final class LoadProgressLine implements LoadProgress, AutoCloseable {
    private final PrintStream err;
    private final String title;
    private long last;
    private boolean drawn;
    private int width;

    private LoadProgressLine(PrintStream err, String title) {
        this.err = err;
        this.title = title;
    }

    /** The progress for loading {@code title}: drawn on a terminal, {@link LoadProgress#NONE} otherwise. */
    static LoadProgressLine forTerminal(String title) {
        var console = System.console();
        return new LoadProgressLine(console != null && console.isTerminal() ? System.err : null, title);
    }

    @Override
    public void tensors(String what, int done, int total) {
        if (err == null) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - last < 100_000_000L) {
            return;
        }
        last = now;
        String line = String.format(Locale.ROOT, "%s: %s %d/%d (%d%%)", title, what, done, total, 100L * done / total);
        err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        width = line.length();
        drawn = true;
        err.flush();
    }

    /** Ends the line (once the load is over, or failed). */
    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
            drawn = false;
        }
    }
}
