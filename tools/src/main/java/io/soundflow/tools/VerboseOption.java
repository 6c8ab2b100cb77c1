package io.soundflow.tools;

import picocli.CommandLine.Option;

/** The {@code --verbose} option every command has; {@link Errors} reads it to print stack traces. */
final class VerboseOption {
    @Option(names = "--verbose", description = "Stack traces on errors (and more detail where a command has it).")
    boolean verbose;
}
