package org.funduslens.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.funduslens.study.DecisionLog;
import org.funduslens.study.DecisionLogException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code decisions export}: the decision log as CSV, for audit and for analysis elsewhere. */
@Command(name = "decisions", mixinStandardHelpOptions = true, description = "Export the decision log.",
        subcommands = {DecisionsCommand.Export.class})
public final class DecisionsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write every decision as CSV (UTF-8).")
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--csv", required = true, paramLabel = "FILE")
        Path csv;

        @Option(names = "--log", paramLabel = "FILE", description = "A decision log other than the user's.")
        Path log;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try (DecisionLog l = log == null ? DecisionLog.openDefault() : DecisionLog.open(log)) {
                int n = l.exportCsv(csv);
                spec.commandLine().getOut().println(n + " decisions written to " + csv.toAbsolutePath());
                return ExitCodes.OK;
            } catch (DecisionLogException e) {
                err.println("decisions export: " + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
    }
}
