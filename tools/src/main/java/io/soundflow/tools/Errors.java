package io.soundflow.tools;

import picocli.CommandLine;

/**
 * Turns any failure of a command into one clear line on stderr and exit code 1; the stack trace is
 * printed only with {@code --verbose} (or -Dsoundflow.verbose=true).
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean verbose = Boolean.getBoolean("soundflow.verbose");
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("--verbose");
        }
        String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        cl.getErr().println("soundflow " + cl.getCommandName() + ": " + CliNames.forCli(msg));
        if (verbose) {
            ex.printStackTrace(cl.getErr());
        }
        return 1;
    }
}
