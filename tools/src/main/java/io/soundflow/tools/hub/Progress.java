package io.soundflow.tools.hub;

/** What a pull reports while it works; {@link #QUIET} reports nothing. */
public interface Progress {

    /** A file begins downloading: {@code done} bytes of {@code size} are already there (a resumed partial file). */
    void start(String path, long size, long done);

    /** {@code done} bytes of the current file are now there. */
    void update(long done);

    /** The current file is complete: downloaded and checked, or found in the cache. */
    void finish(String path, long size, boolean fromCache);

    /** The current file failed; the next line the caller prints is its error. */
    void abort();

    Progress QUIET = new Progress() {
        @Override
        public void start(String path, long size, long done) {
        }

        @Override
        public void update(long done) {
        }

        @Override
        public void finish(String path, long size, boolean fromCache) {
        }

        @Override
        public void abort() {
        }
    };
}
