package io.soundflow.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code soundflow bench ...}: the benchmarks; each subcommand prints a table with its ceilings. */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Benchmarks (kernels, forward, stream, tokenizer); JMH lives in bench/.",
        subcommands = {
                BenchKernelsCommand.class,
                BenchForwardCommand.class,
                BenchStreamCommand.class,
        })
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
